// VideoStore on SQLite (Kysely + better-sqlite3): the embedded default store.
//
// Where each call runs, so that no lock wait and no fsync blocks the event loop:
// - Writes (create, update, delete, each with the read that explains a refusal) go to a
//   writer thread with its own connection (writer.ts). Writes that queue while a commit
//   runs share the next transaction, a savepoint each (group commit, write-executor.ts),
//   so one fsync serves many calls and one refused or failed write fails only its own
//   call. The lock wait is bounded by the calls' deadlines and the commit is fsynced
//   there; a call is answered only after the commit holding it returned.
// - Reads run on the main thread's connection, as statements prepared once and kept
//   (read-statements.ts), sharing a read transaction where that stays linearizable
//   (read-snapshot.ts). In WAL mode a reader never waits for the writer's lock (its own
//   or another process's), so a read costs only its own work; a reader waits only while
//   another connection recovers the WAL after a crash, which is short, and
//   readBusyTimeoutMs caps even that. Moving reads to a thread too would add a message
//   round trip to every call for no gain in the common case.
// - :memory: has no file to share with a worker, so reads and writes both use the one
//   main-thread connection (InlineWriter); nothing there can wait or fsync.
// Kysely builds the schema, the migrations and each statement's shape, once; no call
// builds a Kysely query (statement-shape.ts says why).
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { AlreadyExists, NoLiveClaim, NotFound, StoreUnavailable } from '../../domain/errors.ts';
import type { ClaimGrant, ClaimRenewal, ListPage, ListQuery, Precondition, StoreCallOptions, VideoChange, VideoStore } from '../../domain/ports.ts';
import type { Video, VideoKey } from '../../domain/video.ts';
import { isMemoryPath } from './connection.ts';
import { checkInTime } from './deadline.ts';
import { identityOf, type FileIdentity } from './file-identity.ts';
import { SqliteOpenError, toDomainError } from './errors.ts';
import { defaultBusyTimeoutMs, openDatabase, type SqliteOptions } from './open.ts';
import { ReadSnapshot } from './read-snapshot.ts';
import { ReadStatements } from './read-statements.ts';
import { StoreReadiness } from './readiness.ts';
import { refusalReason, type RefusalRow } from './refusal.ts';
import { fromRow } from './row.ts';
import type { Database, VideoRow } from './schema.ts';
import { WriteExecutor } from './write-executor.ts';
import { WriteStatements } from './write-statements.ts';
import { InlineWriter, ThreadWriter, type Writer } from './writer.ts';
import type { CompiledStatement, WriteOutcome, WriteProgram } from './writer-protocol.ts';

export type { SqliteOptions } from './open.ts';
export { SchemaTooNew, SqliteOpenError } from './errors.ts';

/** The connection settings in force, for the start-up log and for tests. */
export interface SqliteSettings {
  readonly journalMode: string;
  /** OFF, NORMAL, FULL or EXTRA. */
  readonly synchronous: string;
  /** The longest a write waits for another process's lock (less when its deadline is sooner). */
  readonly busyTimeoutMs: number;
}

const synchronousNames = ['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const;

/** The longest a main-thread read may wait for a lock (WAL recovery by another connection). */
export const readBusyTimeoutMs = 50;

/** Videos in one SQLite file: reads on the main thread, writes on a writer thread. */
export class SqliteVideoStore implements VideoStore {
  readonly #connection: BetterSqlite3.Database;
  readonly #db: Kysely<Database>;
  readonly #reads: ReadStatements;
  /** Shared read transactions (read-snapshot.ts); none for :memory:, whose one connection also writes. */
  readonly #snapshot: ReadSnapshot | undefined;
  readonly #writes: WriteStatements;
  readonly #writer: Writer;
  readonly #busyTimeoutMs: number;
  readonly #readiness: StoreReadiness;
  readonly #inFlight = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;

  private constructor(
    connection: BetterSqlite3.Database,
    db: Kysely<Database>,
    writer: Writer,
    busyTimeoutMs: number,
    file?: { readonly path: string; readonly identity: FileIdentity },
  ) {
    this.#connection = connection;
    this.#db = db;
    this.#reads = new ReadStatements(connection, db);
    this.#snapshot = file === undefined ? undefined : new ReadSnapshot(connection);
    this.#writes = new WriteStatements(db);
    this.#writer = writer;
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#readiness = new StoreReadiness(writer, file);
  }

  /** Opens and migrates the database and starts its writer; throws SchemaTooNew or SqliteOpenError with a one-line message. */
  static async open(options: SqliteOptions): Promise<SqliteVideoStore> {
    const { connection, db } = await openDatabase(options);
    const busyTimeoutMs = Math.trunc(options.busyTimeoutMs ?? defaultBusyTimeoutMs);
    if (isMemoryPath(options.path)) {
      const writer = new InlineWriter(new WriteExecutor(connection, undefined, busyTimeoutMs));
      return new SqliteVideoStore(connection, db, writer, busyTimeoutMs);
    }
    try {
      const identity = identityOf(options.path);
      if (identity === undefined) throw new Error('the file disappeared while it was opened');
      const writer = await ThreadWriter.start({
        path: options.path,
        identity,
        synchronous: options.synchronous ?? 'FULL',
        maxBusyMs: busyTimeoutMs,
      });
      // This connection only reads from now on; query_only makes sure of it, so no
      // write (and no fsync) can ever run on the main thread.
      connection.pragma('query_only = ON');
      connection.pragma(`busy_timeout = ${readBusyTimeoutMs}`);
      return new SqliteVideoStore(connection, db, writer, busyTimeoutMs, { path: options.path, identity });
    } catch (error) {
      await db.destroy();
      throw new SqliteOpenError(`cannot open database ${options.path}: ${(error as Error).message}`, { cause: error });
    }
  }

  async create(video: Video, options?: StoreCallOptions): Promise<Video> {
    // DO NOTHING on the key conflict: an existing video is never overwritten, and the
    // missing RETURNING row says the key was taken, with no second statement.
    const outcome = await this.#write(options, { statement: this.#writes.create(video) });
    const row = outcome.rows[0] as VideoRow | undefined;
    if (row === undefined) throw AlreadyExists.video(video);
    return fromRow(row);
  }

  async get(key: VideoKey, options?: StoreCallOptions): Promise<Video | undefined> {
    const row = this.#read(options, () => this.#reads.get(key));
    return row === undefined ? undefined : fromRow(row);
  }

  async getMany(ownerId: string, videoIds: readonly string[], options?: StoreCallOptions): Promise<Video[]> {
    if (videoIds.length === 0) return [];
    return this.#read(options, () => this.#reads.getMany(ownerId, videoIds)).map(fromRow);
  }

  async list(query: ListQuery, options?: StoreCallOptions): Promise<ListPage> {
    const rows = this.#read(options, () => this.#reads.list(query));
    const videos = rows.slice(0, query.limit).map(fromRow);
    const last = videos.at(-1);
    if (rows.length <= query.limit || last === undefined) return { videos };
    return { videos, next: { createTime: last.createTime, videoId: last.videoId } };
  }

  async update(key: VideoKey, change: VideoChange, expect: Precondition, options?: StoreCallOptions): Promise<Video> {
    const outcome = await this.#write(options, {
      statement: this.#writes.update(key, change, expect),
      refusal: this.#writes.refusal(key),
    });
    const row = outcome.rows[0] as VideoRow | undefined;
    if (row !== undefined) return fromRow(row);
    throw refusalReason(outcome.refusalRow as RefusalRow | null, key, expect, change.fields.status);
  }

  async delete(key: VideoKey, expect: Precondition, options?: StoreCallOptions): Promise<void> {
    const outcome = await this.#write(options, {
      statement: this.#writes.delete(key, expect),
      refusal: this.#writes.refusal(key),
    });
    if (outcome.changes > 0) return;
    throw refusalReason(outcome.refusalRow as RefusalRow | null, key, expect);
  }

  async claimNext(grant: ClaimGrant, options?: StoreCallOptions): Promise<Video | undefined> {
    const outcome = await this.#run(options, this.#writes.claim(grant));
    const row = outcome.rows[0] as VideoRow | undefined;
    return row === undefined ? undefined : fromRow(row);
  }

  async renewClaim(key: VideoKey, renewal: ClaimRenewal, options?: StoreCallOptions): Promise<Video> {
    const outcome = await this.#write(options, { statement: this.#writes.renew(key, renewal), refusal: this.#writes.refusal(key) });
    const row = outcome.rows[0] as VideoRow | undefined;
    if (row !== undefined) return fromRow(row);
    throw outcome.refusalRow === null ? NotFound.video(key) : new NoLiveClaim(renewal.workerId);
  }

  /**
   * Every video in the database, across owners, in primary-key order (for
   * `videosvc migrate`). Reads in keyset batches so the connection is never held by an
   * open cursor while the caller writes elsewhere.
   */
  async *allVideos(batchSize = 500): AsyncIterable<Video> {
    let after: VideoKey | undefined;
    for (;;) {
      const from = after;
      const rows = await this.#readAsync(() => {
        let select = this.#db.selectFrom('videos').selectAll();
        if (from !== undefined) {
          select = select.where(({ eb, refTuple, tuple }) =>
            eb(refTuple('owner_id', 'video_id'), '>', tuple(from.ownerId, from.videoId)),
          );
        }
        return select.orderBy('owner_id').orderBy('video_id').limit(batchSize).execute();
      });
      for (const row of rows) yield fromRow(row);
      const last = rows.at(-1);
      if (last === undefined || rows.length < batchSize) return;
      after = { ownerId: last.owner_id, videoId: last.video_id };
    }
  }

  /**
   * Ready means the store can write now (readiness.ts): not while another process holds
   * the lock, the file or disk is read-only or full, or the path no longer names the
   * opened file (deleted, replaced). Bounded by the deadline; concurrent pings share one probe.
   */
  async ping(options?: StoreCallOptions): Promise<void> {
    if (this.#closing !== undefined) throw new StoreUnavailable('the video store is closed');
    await this.#track(this.#readiness.check(options?.deadline));
  }

  /** Refuses new calls, waits for the ones in flight, then closes the reader and the writer. Idempotent. */
  async close(): Promise<void> {
    this.#closing ??= Promise.allSettled(this.#inFlight).then(async () => {
      this.#snapshot?.end();
      // The reader first: the writer's connection, closing last, checkpoints the WAL
      // into the database file on its own thread.
      await this.#db.destroy();
      await this.#writer.close();
    });
    return this.#closing;
  }

  /** The pragmas in force on this store's connections. */
  settings(): SqliteSettings {
    const synchronous = Number(this.#connection.pragma('synchronous', { simple: true }));
    return {
      journalMode: String(this.#connection.pragma('journal_mode', { simple: true })),
      synchronous: synchronousNames[synchronous] ?? String(synchronous),
      busyTimeoutMs: this.#busyTimeoutMs,
    };
  }

  /**
   * How many commits that changed the file the writer made since open. With group commit
   * one commit holds every write that queued while the previous one ran, so under
   * concurrent writes this stays well below the number of writes (tests, diagnostics).
   */
  commitCount(): number {
    return this.#writer.commits;
  }

  // A read on the main thread: refused once closed or past its deadline, and refused
  // after the fact if it ended past the deadline (it could not be interrupted). It runs
  // synchronously, so close() can never find one in flight.
  #read<T>(options: StoreCallOptions | undefined, operation: () => T): T {
    if (this.#closing !== undefined) throw new StoreUnavailable('the video store is closed');
    checkInTime(options);
    let result: T;
    try {
      this.#snapshot?.enter(options?.receivedNs);
      result = operation();
    } catch (err) {
      this.#snapshot?.end();
      throw toDomainError(err);
    }
    checkInTime(options);
    return result;
  }

  // A read through Kysely (the CLI's export, not the hot path), tracked so close() waits for it.
  async #readAsync<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#closing !== undefined) throw new StoreUnavailable('the video store is closed');
    return this.#track(operation());
  }

  async #write(
    options: StoreCallOptions | undefined,
    program: { statement: CompiledStatement; refusal?: CompiledStatement },
  ): Promise<WriteOutcome> {
    return this.#run(options, { kind: 'statement', ...program });
  }

  async #run(options: StoreCallOptions | undefined, program: WriteProgram): Promise<WriteOutcome> {
    if (this.#closing !== undefined) throw new StoreUnavailable('the video store is closed');
    checkInTime(options);
    return this.#track(this.#writer.write(program, options?.deadline));
  }

  // Every call is counted until it settles, so close() can wait for it; driver errors
  // become domain errors at this edge.
  async #track<T>(pending: Promise<T>): Promise<T> {
    this.#inFlight.add(pending);
    try {
      return await pending;
    } catch (err) {
      throw toDomainError(err);
    } finally {
      this.#inFlight.delete(pending);
    }
  }
}
