// Opening the database file: directory, pragmas, migrations. Everything here runs once,
// at start, before the store serves a call.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { latestMigration, migrations } from './migrations/index.ts';
import { SchemaTooNew, SqliteOpenError } from './errors.ts';
import type { Database } from './schema.ts';

/** How to open the SQLite store. */
export interface SqliteOptions {
  /** Database file, or `:memory:`. A missing directory is created. */
  readonly path: string;
  /** FULL (default): a commit survives power loss; NORMAL: it survives a process crash (SPEC §5, §6). */
  readonly synchronous?: 'FULL' | 'NORMAL';
  /** How long a write waits for another process's lock before StoreUnavailable. */
  readonly busyTimeoutMs?: number;
}

/** The open connection and the Kysely instance over it. */
export interface OpenedDatabase {
  readonly connection: BetterSqlite3.Database;
  readonly db: Kysely<Database>;
}

const defaultBusyTimeoutMs = 5_000;
const migrationTable = 'kysely_migration';

function isMemory(path: string): boolean {
  return path === ':memory:' || path === '';
}

function connect(options: SqliteOptions): BetterSqlite3.Database {
  const synchronous = options.synchronous ?? 'FULL';
  // Spliced into the pragma text, so only the two known words may pass.
  if (synchronous !== 'FULL' && synchronous !== 'NORMAL') {
    throw new SqliteOpenError(`cannot open database ${options.path}: synchronous must be FULL or NORMAL`);
  }
  let connection: BetterSqlite3.Database | undefined;
  try {
    if (!isMemory(options.path)) mkdirSync(dirname(options.path), { recursive: true });
    connection = new BetterSqlite3(options.path);
    // WAL lets readers run beside the writer; with synchronous=FULL each commit is
    // fsynced before it returns, so an acknowledged write survives power loss (SPEC §6).
    connection.pragma('journal_mode = WAL');
    connection.pragma(`synchronous = ${synchronous}`);
    connection.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? defaultBusyTimeoutMs)}`);
    return connection;
  } catch (err) {
    connection?.close();
    throw new SqliteOpenError(`cannot open database ${options.path}: ${(err as Error).message}`, { cause: err });
  }
}

async function executedMigrations(db: Kysely<any>): Promise<string[]> {
  const table = await sql<{ name: string }>`
    select name from sqlite_master where type = 'table' and name = ${migrationTable}`.execute(db);
  if (table.rows.length === 0) return [];
  const rows = await db.selectFrom(migrationTable).select('name').execute();
  return rows.map((row) => String(row.name));
}

// Kysely's Migrator would also refuse an unknown executed migration, but with a message
// about "corrupted migrations"; the usual cause is an older build opening a newer
// database, and the fix is to upgrade, so say that.
async function refuseNewerSchema(db: Kysely<any>, path: string): Promise<void> {
  const unknown = (await executedMigrations(db)).filter((name) => !(name in migrations)).sort();
  const newest = unknown.at(-1);
  if (newest !== undefined) throw new SchemaTooNew(path, newest, latestMigration);
}

async function migrate(db: Kysely<any>, path: string): Promise<void> {
  await refuseNewerSchema(db, path);
  const migrator = new Migrator({
    db,
    migrationTableName: migrationTable,
    provider: { getMigrations: async () => migrations },
  });
  const { error } = await migrator.migrateToLatest();
  if (error !== undefined) {
    throw new SqliteOpenError(`cannot migrate database ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Opens (creating if needed) and migrates the database; throws SqliteOpenError or SchemaTooNew. */
export async function openDatabase(options: SqliteOptions): Promise<OpenedDatabase> {
  const connection = connect(options);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }) });
  try {
    await migrate(db as Kysely<any>, options.path);
  } catch (err) {
    connection.close();
    throw err instanceof SqliteOpenError
      ? err
      : new SqliteOpenError(`cannot open database ${options.path}: ${(err as Error).message}`, { cause: err });
  }
  // From here on every INTEGER is read as a bigint, so size_bytes keeps all 64 bits
  // (see row.ts). Set after migrating: Kysely's own bookkeeping expects numbers.
  connection.defaultSafeIntegers(true);
  return { connection, db };
}
