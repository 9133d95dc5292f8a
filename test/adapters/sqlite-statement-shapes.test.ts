// The statements the store prepares once (statement shapes) are the very statements the
// per-call Kysely builders produce — same SQL, same parameters in the same order — so
// the query plans pinned in sqlite-query-plan.test.ts hold for what actually runs.
import { DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely';
import { describe, expect, it } from 'vitest';
import { conditionalDelete, conditionalUpdate, listPageQuery, listPageSelect } from '../../src/adapters/sqlite/queries.ts';
import { refusalQuery } from '../../src/adapters/sqlite/refusal.ts';
import { toRow } from '../../src/adapters/sqlite/row.ts';
import type { Database } from '../../src/adapters/sqlite/schema.ts';
import { shapeOf, slot } from '../../src/adapters/sqlite/statement-shape.ts';
import { WriteStatements } from '../../src/adapters/sqlite/write-statements.ts';
import type { ListQuery, Precondition, VideoChange } from '../../src/domain/ports.ts';
import { sampleVideo } from '../support/videos.ts';

const db = new Kysely<Database>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (kysely) => new SqliteIntrospector(kysely),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
});

const video = sampleVideo({ labels: { team: 'video' } });
const key = { ownerId: video.ownerId, videoId: video.videoId };

describe('SQLite statement shapes', () => {
  it('binds named slots in the order Kysely placed them and keeps the constants of the shape', () => {
    const shape = shapeOf(
      db
        .updateTable('videos')
        .set((eb) => ({ title: slot('title'), version: eb('version', '+', 1n) }))
        .where('owner_id', '=', slot('owner'))
        .where('video_id', '=', slot('video')),
    );
    expect(shape.sql).toBe('update "videos" set "title" = ?, "version" = "version" + ? where "owner_id" = ? and "video_id" = ?');
    expect(shape.bind({ owner: 'o', video: 'v', title: 't' })).toEqual(['t', 1n, 'o', 'v']);
    expect(() => shape.bind({ owner: 'o', title: 't' })).toThrow('no value for slot video');
  });

  const after = { createTime: new Date(1_700_000_000_123), videoId: video.videoId };
  it.each<[string, ListQuery]>([
    ['first page', { ownerId: 'o', limit: 50 }],
    ['later page', { ownerId: 'o', limit: 50, after }],
    ['first filtered page', { ownerId: 'o', status: 'FAILED', limit: 7 }],
    ['later filtered page', { ownerId: 'o', status: 'FAILED', limit: 7, after }],
  ])('the %s shape is the per-call list query', (_name, query) => {
    const shape = shapeOf(
      listPageSelect(db, {
        ownerId: slot('ownerId'),
        status: query.status === undefined ? undefined : slot('status'),
        after: query.after === undefined ? undefined : { createTime: slot('createTime'), videoId: slot('afterId') },
        rows: slot('rows'),
      }),
    );
    const expected = listPageQuery(db, query).compile();
    expect(shape.sql).toBe(expected.sql);
    expect(
      shape.bind({
        ownerId: query.ownerId,
        status: query.status?.toLowerCase(),
        createTime: query.after === undefined ? undefined : BigInt(query.after.createTime.getTime()),
        afterId: query.after?.videoId,
        rows: query.limit + 1,
      }),
    ).toEqual(expected.parameters);
  });

  const writes = new WriteStatements(db);
  const change: VideoChange = { fields: { title: 'new', status: 'TRANSCODING', sizeBytes: 2n ** 64n - 1n }, updateTime: new Date(1_800_000_000_000) };
  it.each<[string, Precondition]>([
    ['no precondition', {}],
    ['an etag', { version: 3 }],
    ['allowed statuses', { statusIn: ['UPLOADED', 'FAILED'] }],
    ['both', { version: 3, statusIn: ['UPLOADED'] }],
  ])('conditional update and delete with %s compile to the per-call statements, twice alike', (_name, expect_) => {
    for (let round = 0; round < 2; round++) {
      const update = conditionalUpdate(db, key, change, expect_).compile();
      expect(writes.update(key, change, expect_)).toEqual({ sql: update.sql, parameters: update.parameters });
      const remove = conditionalDelete(db, key, expect_).compile();
      expect(writes.delete(key, expect_)).toEqual({ sql: remove.sql, parameters: remove.parameters });
    }
  });

  it('create and the refusal read compile to the per-call statements', () => {
    const insert = db
      .insertInto('videos')
      .values(toRow(video))
      .onConflict((conflict) => conflict.columns(['owner_id', 'video_id']).doNothing())
      .returningAll()
      .compile();
    expect(writes.create(video)).toEqual({ sql: insert.sql, parameters: insert.parameters });
    const refusal = refusalQuery(db, key).compile();
    expect(writes.refusal(key)).toEqual({ sql: refusal.sql, parameters: refusal.parameters });
  });
});
