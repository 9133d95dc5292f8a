// Proof that the database file can be written right now: a committed transaction that
// changes nothing visible. It rewrites the header's user_version with its own value
// (nothing in videosvc uses user_version), which dirties page 1, so the commit really
// appends to the WAL and fsyncs: a lock held by another process (BUSY), a read-only
// file, directory or mount (READONLY, IOERR) or a full disk (FULL) all make it throw,
// without a probe table and so without a schema change.
import type BetterSqlite3 from 'better-sqlite3';

/** The probe's write alone, for a transaction the caller runs (the writer's group commit). */
export function probeWrite(connection: BetterSqlite3.Database): void {
  const version = Number(connection.pragma('user_version', { simple: true }));
  connection.pragma(`user_version = ${Math.trunc(version)}`);
}

/** Commits a no-op write in BEGIN IMMEDIATE; throws the driver's error when the file cannot be written. */
export function commitProbe(connection: BetterSqlite3.Database): void {
  connection.transaction(() => probeWrite(connection)).immediate();
}
