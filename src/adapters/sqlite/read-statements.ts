// The store's reads as statements prepared once on the main thread's connection and kept:
// each call binds its values and maps the rows, with no Kysely and no prepare per call
// (statement-shape.ts says why); rows come back as arrays (row.ts: rowFromValues). Shapes are few: one get, one getMany per id count
// (1..100 in practice), four list pages (filtered or not, first page or later).
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { ListQuery } from '../../domain/ports.ts';
import type { VideoKey } from '../../domain/video.ts';
import { listPageSelect } from './queries.ts';
import { columnPositions, rowFromValues, statusToColumn, type ColumnPositions } from './row.ts';
import type { Database, VideoRow } from './schema.ts';
import { shapeOf, slot, type StatementShape } from './statement-shape.ts';

// getMany shapes differ by id count; past this many the cache starts over (one prepare each).
const maxCachedShapes = 512;

interface Prepared {
  readonly shape: StatementShape;
  /** In raw mode: each row comes back as an array, read through `at`. */
  readonly statement: BetterSqlite3.Statement;
  readonly at: ColumnPositions;
}

/** Prepared reads on one connection; rows come back as stored (INTEGER columns as bigint). */
export class ReadStatements {
  readonly #connection: BetterSqlite3.Database;
  readonly #db: Kysely<Database>;
  readonly #cache = new Map<string, Prepared>();

  constructor(connection: BetterSqlite3.Database, db: Kysely<Database>) {
    this.#connection = connection;
    this.#db = db;
  }

  get(key: VideoKey): VideoRow | undefined {
    const { shape, statement, at } = this.#prepared('get', () =>
      this.#db.selectFrom('videos').selectAll().where('owner_id', '=', slot('ownerId')).where('video_id', '=', slot('videoId')),
    );
    const values = statement.get(...shape.bind(key)) as unknown[] | undefined;
    return values === undefined ? undefined : rowFromValues(values, at);
  }

  getMany(ownerId: string, videoIds: readonly string[]): VideoRow[] {
    const names = videoIds.map((_, index) => `id${index}`);
    const { shape, statement, at } = this.#prepared(`getMany:${videoIds.length}`, () =>
      this.#db
        .selectFrom('videos')
        .selectAll()
        .where('owner_id', '=', slot('ownerId'))
        .where('video_id', 'in', names.map((name) => slot<string>(name))),
    );
    const values: Record<string, unknown> = { ownerId };
    for (let i = 0; i < videoIds.length; i++) values[names[i]!] = videoIds[i];
    return rowsFromValues(statement.all(...shape.bind(values)) as unknown[][], at);
  }

  /** The page's rows plus one more if more follow. */
  list(query: ListQuery): VideoRow[] {
    const filtered = query.status !== undefined;
    const after = query.after;
    const { shape, statement, at } = this.#prepared(`list:${filtered}:${after !== undefined}`, () =>
      listPageSelect(this.#db, {
        ownerId: slot('ownerId'),
        status: filtered ? slot('status') : undefined,
        after: after === undefined ? undefined : { createTime: slot('createTime'), videoId: slot('afterId') },
        rows: slot('rows'),
      }),
    );
    const values = {
      ownerId: query.ownerId,
      status: query.status === undefined ? undefined : statusToColumn(query.status),
      createTime: after === undefined ? undefined : BigInt(after.createTime.getTime()),
      afterId: after?.videoId,
      rows: query.limit + 1,
    };
    return rowsFromValues(statement.all(...shape.bind(values)) as unknown[][], at);
  }

  #prepared(name: string, build: () => Parameters<typeof shapeOf>[0]): Prepared {
    let prepared = this.#cache.get(name);
    if (prepared === undefined) {
      if (this.#cache.size >= maxCachedShapes) this.#cache.clear();
      const shape = shapeOf(build());
      // Safe integers per statement, not by the connection's default: size_bytes keeps all
      // 64 bits whatever the connection was set to (row.ts).
      const statement = this.#connection.prepare(shape.sql).safeIntegers(true).raw(true);
      prepared = { shape, statement, at: columnPositions(statement.columns().map((column) => column.name)) };
      this.#cache.set(name, prepared);
    }
    return prepared;
  }
}

function rowsFromValues(all: readonly unknown[][], at: ColumnPositions): VideoRow[] {
  const rows = new Array<VideoRow>(all.length);
  for (let i = 0; i < all.length; i++) rows[i] = rowFromValues(all[i]!, at);
  return rows;
}
