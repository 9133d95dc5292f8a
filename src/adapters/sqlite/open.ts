// Opening the database file: directory, pragmas, a write check, migrations. Everything
// here runs once, at start, before the store serves a call, so it may wait on the main
// thread (for another process's migration, say).
import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type Migration } from 'kysely';
import { connect, type Synchronous } from './connection.ts';
import { SqliteOpenError } from './errors.ts';
import { migrate } from './migrate.ts';
import { migrations } from './migrations/index.ts';
import type { Database } from './schema.ts';
import { commitProbe } from './write-probe.ts';

/** How to open the SQLite store. */
export interface SqliteOptions {
  /** Database file, or `:memory:`. A missing directory is created. */
  readonly path: string;
  /** FULL (default): a commit survives power loss; NORMAL: it survives a process crash (SPEC §5, §6). */
  readonly synchronous?: Synchronous;
  /** The longest a write waits for another process's lock (less when its deadline is sooner); also the wait at open. */
  readonly busyTimeoutMs?: number;
}

/** The open, migrated connection and the Kysely instance over it. */
export interface OpenedDatabase {
  readonly connection: BetterSqlite3.Database;
  readonly db: Kysely<Database>;
}

export const defaultBusyTimeoutMs = 5_000;

// Driver codes that mean "someone else holds the lock right now": the file is writable,
// only busy, so the service starts and readiness says not-ready until the lock is gone.
const busyCodes = /^SQLITE_(BUSY|LOCKED)/;

// A database that cannot be written would start half-working: ready, reads fine, every
// write UNAVAILABLE (a read-only file, or a read-only directory with leftover WAL files).
// Refusing to start says what is wrong at once, in one line naming the file.
function refuseUnwritable(connection: BetterSqlite3.Database, path: string): void {
  try {
    commitProbe(connection);
  } catch (error) {
    const code = String((error as { code?: unknown }).code ?? '');
    if (busyCodes.test(code)) return;
    throw new SqliteOpenError(`cannot open database ${path}: it cannot be written (${(error as Error).message})`, {
      cause: error,
    });
  }
}

/**
 * Opens (creating if needed), checks and migrates the database; throws SqliteOpenError
 * or SchemaTooNew. `known` replaces the migration list only in tests.
 */
export async function openDatabase(
  options: SqliteOptions,
  known: Readonly<Record<string, Migration>> = migrations,
): Promise<OpenedDatabase> {
  const connection = connect({
    path: options.path,
    synchronous: options.synchronous ?? 'FULL',
    busyTimeoutMs: options.busyTimeoutMs ?? defaultBusyTimeoutMs,
  });
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }) });
  try {
    refuseUnwritable(connection, options.path);
    await migrate(db as Kysely<any>, options.path, known);
  } catch (err) {
    await db.destroy();
    throw err instanceof SqliteOpenError
      ? err
      : new SqliteOpenError(`cannot open database ${options.path}: ${(err as Error).message}`, { cause: err });
  }
  // From here on every INTEGER is read as a bigint, so size_bytes keeps all 64 bits
  // (see row.ts). Set after migrating: Kysely's own bookkeeping expects numbers.
  connection.defaultSafeIntegers(true);
  return { connection, db };
}
