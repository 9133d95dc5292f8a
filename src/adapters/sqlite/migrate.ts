// Runs the migrations this build knows, each with its bookkeeping row in one
// BEGIN IMMEDIATE transaction. Kysely's own Migrator runs SQLite migrations with no
// transaction and no lock, so a crash midway left a half-built schema that never
// started again, and two processes opening one new file could both run a migration.
// Here a failed or interrupted migration leaves nothing behind, and the second process
// waits for the first's lock (busy_timeout), sees the row, and skips the migration.
import { sql, type Kysely, type Migration } from 'kysely';
import { SchemaTooNew, SqliteOpenError } from './errors.ts';

// Kysely's table and columns, so databases migrated by earlier builds (and earlier builds
// opening this one) agree on what has run.
const migrationTable = 'kysely_migration';

async function executedMigrations(db: Kysely<any>): Promise<string[]> {
  const table = await sql<{ name: string }>`
    select name from sqlite_master where type = 'table' and name = ${migrationTable}`.execute(db);
  if (table.rows.length === 0) return [];
  const rows = await db.selectFrom(migrationTable).select('name').execute();
  return rows.map((row) => String(row.name));
}

// The usual cause of an unknown executed migration is an older build opening a newer
// database, and the fix is to upgrade, so say that.
function refuseNewerSchema(executed: readonly string[], known: Readonly<Record<string, Migration>>, path: string): void {
  const latest = Object.keys(known).sort().at(-1) ?? '';
  const newest = executed.filter((name) => !(name in known)).sort().at(-1);
  if (newest !== undefined) throw new SchemaTooNew(path, newest, latest);
}

// One migration and its row, or neither. `db` is one pinned connection, so every
// statement of the migration runs inside the transaction begun here.
async function runOne(db: Kysely<any>, name: string, migration: Migration): Promise<void> {
  await sql`begin immediate`.execute(db);
  try {
    await sql`create table if not exists ${sql.table(migrationTable)} (
      name varchar(255) not null primary key, timestamp varchar(255) not null)`.execute(db);
    // Read again under the lock: another process may have run it while we waited.
    if (!(await executedMigrations(db)).includes(name)) {
      await migration.up(db);
      await db.insertInto(migrationTable).values({ name, timestamp: new Date().toISOString() }).execute();
    }
    await sql`commit`.execute(db);
  } catch (error) {
    await sql`rollback`.execute(db).catch(() => undefined);
    throw error;
  }
}

/** Brings the schema up to date; throws SchemaTooNew, or SqliteOpenError naming the file and the failed migration. */
export async function migrate(db: Kysely<any>, path: string, known: Readonly<Record<string, Migration>>): Promise<void> {
  const executed = await executedMigrations(db);
  refuseNewerSchema(executed, known, path);
  const pending = Object.keys(known)
    .sort()
    .filter((name) => !executed.includes(name));
  if (pending.length === 0) return;
  await db.connection().execute(async (connection) => {
    for (const name of pending) {
      try {
        await runOne(connection, name, known[name]!);
      } catch (error) {
        throw new SqliteOpenError(`cannot migrate database ${path}: ${name} failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
  });
}
