// VideoStore on SQLite (Kysely + better-sqlite3): the embedded default store.
import type BetterSqlite3 from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { AlreadyExists, StoreUnavailable } from '../../domain/errors.ts';
import type { ListPage, ListQuery, Precondition, VideoChange, VideoStore } from '../../domain/ports.ts';
import type { Video, VideoKey } from '../../domain/video.ts';
import { toDomainError } from './errors.ts';
import { openDatabase, type SqliteOptions } from './open.ts';
import { conditionalDelete, conditionalUpdate, listPageQuery } from './queries.ts';
import { refusalReason } from './refusal.ts';
import { fromRow, toRow } from './row.ts';
import type { Database } from './schema.ts';

export type { SqliteOptions } from './open.ts';
export { SchemaTooNew, SqliteOpenError } from './errors.ts';

/** The connection settings in force, for the start-up log and for tests. */
export interface SqliteSettings {
  readonly journalMode: string;
  /** OFF, NORMAL, FULL or EXTRA. */
  readonly synchronous: string;
  readonly busyTimeoutMs: number;
}

const synchronousNames = ['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const;

/**
 * Videos in one SQLite file. Kysely's SQLite driver runs one statement (or one
 * transaction) at a time on the single connection, so a conditional write and the read
 * that explains its refusal see the same row.
 */
export class SqliteVideoStore implements VideoStore {
  readonly #connection: BetterSqlite3.Database;
  readonly #db: Kysely<Database>;
  readonly #inFlight = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;

  private constructor(connection: BetterSqlite3.Database, db: Kysely<Database>) {
    this.#connection = connection;
    this.#db = db;
  }

  /** Opens and migrates the database; throws SchemaTooNew or SqliteOpenError with a one-line message. */
  static async open(options: SqliteOptions): Promise<SqliteVideoStore> {
    const { connection, db } = await openDatabase(options);
    return new SqliteVideoStore(connection, db);
  }

  async create(video: Video): Promise<Video> {
    return this.#run(async () => {
      // DO NOTHING on the key conflict: an existing video is never overwritten, and the
      // missing RETURNING row says the key was taken, with no second statement.
      const row = await this.#db
        .insertInto('videos')
        .values(toRow(video))
        .onConflict((conflict) => conflict.columns(['owner_id', 'video_id']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (row === undefined) throw AlreadyExists.video(video);
      return fromRow(row);
    });
  }

  async get(key: VideoKey): Promise<Video | undefined> {
    return this.#run(async () => {
      const row = await this.#db
        .selectFrom('videos')
        .selectAll()
        .where('owner_id', '=', key.ownerId)
        .where('video_id', '=', key.videoId)
        .executeTakeFirst();
      return row === undefined ? undefined : fromRow(row);
    });
  }

  async getMany(ownerId: string, videoIds: readonly string[]): Promise<Video[]> {
    if (videoIds.length === 0) return [];
    return this.#run(async () => {
      const rows = await this.#db
        .selectFrom('videos')
        .selectAll()
        .where('owner_id', '=', ownerId)
        .where('video_id', 'in', videoIds)
        .execute();
      return rows.map(fromRow);
    });
  }

  async list(query: ListQuery): Promise<ListPage> {
    return this.#run(async () => {
      const rows = await listPageQuery(this.#db, query).execute();
      const videos = rows.slice(0, query.limit).map(fromRow);
      const last = videos.at(-1);
      if (rows.length <= query.limit || last === undefined) return { videos };
      return { videos, next: { createTime: last.createTime, videoId: last.videoId } };
    });
  }

  async update(key: VideoKey, change: VideoChange, expect: Precondition): Promise<Video> {
    // Inside a transaction only `trx` may be used: the transaction holds the single
    // connection, so a query on this.#db would wait for it forever.
    return this.#run(() =>
      this.#db.transaction().execute(async (trx) => {
        const row = await conditionalUpdate(trx, key, change, expect).executeTakeFirst();
        if (row !== undefined) return fromRow(row);
        throw await refusalReason(trx, key, expect, change.fields.status);
      }),
    );
  }

  async delete(key: VideoKey, expect: Precondition): Promise<void> {
    return this.#run(() =>
      this.#db.transaction().execute(async (trx) => {
        const result = await conditionalDelete(trx, key, expect).executeTakeFirst();
        if (result.numDeletedRows > 0n) return;
        throw await refusalReason(trx, key, expect);
      }),
    );
  }

  /**
   * Every video in the database, across owners, in primary-key order (for
   * `videosvc migrate`). Reads in keyset batches so the single connection is never held
   * by an open cursor while the caller writes elsewhere.
   */
  async *allVideos(batchSize = 500): AsyncIterable<Video> {
    let after: VideoKey | undefined;
    for (;;) {
      const from = after;
      const rows = await this.#run(() => {
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

  async ping(): Promise<void> {
    await this.#run(() => sql`select 1`.execute(this.#db));
  }

  /** Refuses new calls, waits for the ones in flight, then closes the database. Idempotent. */
  async close(): Promise<void> {
    this.#closing ??= Promise.allSettled(this.#inFlight).then(() => this.#db.destroy());
    return this.#closing;
  }

  /** The pragmas in force on this store's connection. */
  settings(): SqliteSettings {
    const synchronous = Number(this.#connection.pragma('synchronous', { simple: true }));
    return {
      journalMode: String(this.#connection.pragma('journal_mode', { simple: true })),
      synchronous: synchronousNames[synchronous] ?? String(synchronous),
      busyTimeoutMs: Number(this.#connection.pragma('busy_timeout', { simple: true })),
    };
  }

  // Every call goes through here: after close() it is refused as unavailable (retryable,
  // like any store outage), and driver errors become domain errors at this edge.
  async #run<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#closing !== undefined) throw new StoreUnavailable('the video store is closed');
    const pending = operation();
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
