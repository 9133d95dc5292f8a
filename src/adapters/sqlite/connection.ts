// One better-sqlite3 connection with the store's pragmas. Used by the main thread (reads,
// start-up) and by the writer thread (writes), so both open the file the same way.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SqliteOpenError } from './errors.ts';

/** FULL: a commit survives power loss; NORMAL: it survives a process crash (SPEC §5, §6). */
export type Synchronous = 'FULL' | 'NORMAL';

export interface ConnectionOptions {
  readonly path: string;
  readonly synchronous: Synchronous;
  readonly busyTimeoutMs: number;
}

/** True for SQLite's private in-memory database, which only one connection can see. */
export function isMemoryPath(path: string): boolean {
  return path === ':memory:' || path === '';
}

const walRetryMs = 10;

// Switching a new file to WAL upgrades a read lock to an exclusive one, and SQLite answers
// BUSY at once instead of calling the busy handler when such an upgrade could deadlock
// (two processes opening one new file at the same moment). So the switch is retried here,
// for as long as any other lock wait would last. It runs once per connection, at open.
function switchToWal(connection: BetterSqlite3.Database, busyTimeoutMs: number): void {
  const giveUpAt = Date.now() + busyTimeoutMs;
  for (;;) {
    try {
      connection.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      const code = String((error as { code?: unknown }).code ?? '');
      if (!code.startsWith('SQLITE_BUSY') || Date.now() >= giveUpAt) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, walRetryMs);
    }
  }
}

/** Opens the file (creating its directory) with WAL and the given sync mode; throws SqliteOpenError naming the file. */
export function connect(options: ConnectionOptions): BetterSqlite3.Database {
  // Spliced into the pragma text, so only the two known words may pass.
  if (options.synchronous !== 'FULL' && options.synchronous !== 'NORMAL') {
    throw new SqliteOpenError(`cannot open database ${options.path}: synchronous must be FULL or NORMAL`);
  }
  let connection: BetterSqlite3.Database | undefined;
  try {
    if (!isMemoryPath(options.path)) mkdirSync(dirname(options.path), { recursive: true });
    connection = new BetterSqlite3(options.path);
    // First, so the switch to WAL below waits for a lock too: on a new file that switch
    // needs the database to itself, and a second process opening the same file at that
    // moment would otherwise fail at once with "database is locked".
    connection.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs)}`);
    // WAL lets readers run beside the writer; with synchronous=FULL each commit is
    // fsynced before it returns, so an acknowledged write survives power loss (SPEC §6).
    switchToWal(connection, options.busyTimeoutMs);
    connection.pragma(`synchronous = ${options.synchronous}`);
    return connection;
  } catch (err) {
    connection?.close();
    throw new SqliteOpenError(`cannot open database ${options.path}: ${(err as Error).message}`, { cause: err });
  }
}
