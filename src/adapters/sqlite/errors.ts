// The SQLite adapter's edge: driver failures become domain errors here, so nothing
// above the adapter ever inspects a better-sqlite3 error (STYLE §4).
import { StoreUnavailable, VideoError } from '../../domain/errors.ts';

/** The database cannot be used at start; the message is one line naming the file and the fix. */
export class SqliteOpenError extends Error {
  override get name(): string {
    return this.constructor.name;
  }
}

/** The database has migrations this build does not know: it was written by a newer videosvc. */
export class SchemaTooNew extends SqliteOpenError {
  constructor(
    readonly path: string,
    readonly databaseVersion: string,
    readonly knownVersion: string,
  ) {
    super(
      `database ${path} has schema version ${databaseVersion}, ` +
        `newer than this videosvc knows (${knownVersion}); upgrade videosvc`,
    );
  }
}

// Primary result codes that mean "the store cannot serve right now" rather than "this
// request or this data is wrong": lock contention past busy_timeout, disk trouble, a
// full disk, memory pressure. A caller may retry these (SPEC §3: UNAVAILABLE).
const unavailableCodes = new Set([
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  'SQLITE_CANTOPEN',
  'SQLITE_NOMEM',
  'SQLITE_PROTOCOL',
  'SQLITE_READONLY',
  'SQLITE_INTERRUPT',
]);

function primaryCode(err: unknown): string | undefined {
  if (!(err instanceof Error) || !('code' in err) || typeof err.code !== 'string') return undefined;
  const code = err.code;
  if (!code.startsWith('SQLITE_')) return undefined;
  // Extended codes add a suffix: SQLITE_IOERR_FSYNC, SQLITE_BUSY_SNAPSHOT, …
  const second = code.indexOf('_', 'SQLITE_'.length);
  return second === -1 ? code : code.slice(0, second);
}

/**
 * The error to show above the adapter: domain errors pass through, transient SQLite
 * failures become StoreUnavailable, anything else a plain Error that names only the
 * SQLite code (the raw error stays as `cause`, for the log).
 */
export function toDomainError(err: unknown): Error {
  if (err instanceof VideoError) return err;
  const code = primaryCode(err);
  if (code !== undefined && unavailableCodes.has(code)) {
    return new StoreUnavailable(undefined, { cause: err });
  }
  return new Error(`sqlite store failed${code === undefined ? '' : ` (${code})`}`, { cause: err });
}
