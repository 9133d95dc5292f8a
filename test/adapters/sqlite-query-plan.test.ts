// Every list page is an index range scan (SPEC §3: cost per page does not grow with
// depth), and single-video writes go straight to the primary key.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type Compilable } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conditionalDelete, conditionalUpdate, listPageQuery } from '../../src/adapters/sqlite/queries.ts';
import type { Database } from '../../src/adapters/sqlite/schema.ts';
import { SqliteVideoStore } from '../../src/adapters/sqlite/store.ts';
import type { ListQuery } from '../../src/domain/ports.ts';
import { sampleVideo } from '../support/videos.ts';

// Compiles the store's own query builders without a connection.
const compiler = new Kysely<Database>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
});

const directory = mkdtempSync(join(tmpdir(), 'videosvc-plan-'));
const path = join(directory, 'videos.sqlite');
let connection: BetterSqlite3.Database;

beforeAll(async () => {
  // Rows so ANALYZE has something to measure; NORMAL only to seed faster.
  const store = await SqliteVideoStore.open({ path, synchronous: 'NORMAL' });
  const statuses = ['UPLOADED', 'TRANSCODING', 'TRANSCODED', 'COMPLETED', 'FAILED'] as const;
  for (let i = 0; i < 600; i++) {
    const createTime = new Date(1_700_000_000_000 + i);
    await store.create(sampleVideo({ ownerId: `owner-${i % 3}`, status: statuses[i % 5]!, createTime }));
  }
  await store.close();
  connection = new BetterSqlite3(path);
});
afterAll(() => {
  connection?.close();
  rmSync(directory, { recursive: true, force: true });
});

function plan(query: Compilable): string[] {
  const compiled = query.compile();
  const explain = connection.prepare(`explain query plan ${compiled.sql}`);
  const rows = explain.all(...(compiled.parameters as unknown[])) as { detail: string }[];
  return rows.map((row) => row.detail);
}

const after = { createTime: new Date(1_700_000_000_300), videoId: '01900000-0000-7000-8000-000000000000' };
const listCases: [string, ListQuery, RegExp][] = [
  ['the first page', { ownerId: 'owner-1', limit: 50 }, /^SEARCH videos USING INDEX videos_owner_newest \(owner_id=\?\)$/],
  [
    'a later page',
    { ownerId: 'owner-1', limit: 50, after },
    /^SEARCH videos USING INDEX videos_owner_newest \(owner_id=\? AND \(create_time,video_id\)<\(\?,\?\)\)$/,
  ],
  [
    'the first filtered page',
    { ownerId: 'owner-1', status: 'FAILED', limit: 50 },
    /^SEARCH videos USING INDEX videos_owner_status_newest \(owner_id=\? AND status=\?\)$/,
  ],
  [
    'a later filtered page',
    { ownerId: 'owner-1', status: 'FAILED', limit: 50, after },
    new RegExp(
      String.raw`^SEARCH videos USING INDEX videos_owner_status_newest ` +
        String.raw`\(owner_id=\? AND status=\? AND \(create_time,video_id\)<\(\?,\?\)\)$`,
    ),
  ],
];

describe.each([
  ['without statistics', () => {}],
  ['after ANALYZE', () => connection.exec('analyze')],
])('SQLite query plans (%s)', (_label, prepare) => {
  beforeAll(prepare);

  it.each(listCases)('%s is one index range scan in index order, with no sort and no OFFSET', (_name, query, expected) => {
    const details = plan(listPageQuery(compiler, query));
    expect(details).toHaveLength(1);
    expect(details[0]).toMatch(expected);
    expect(details.join('\n')).not.toMatch(/TEMP B-TREE/);
    expect(listPageQuery(compiler, query).compile().sql).not.toMatch(/offset/i);
  });

  it('conditional update and delete address the row by its primary key', () => {
    const key = { ownerId: 'owner-1', videoId: after.videoId };
    const precondition = { version: 3, statusIn: ['UPLOADED', 'FAILED'] as const };
    const update = conditionalUpdate(compiler, key, { fields: { title: 't' }, updateTime: new Date() }, precondition);
    for (const details of [plan(update), plan(conditionalDelete(compiler, key, precondition))]) {
      expect(details).toEqual(['SEARCH videos USING INDEX sqlite_autoindex_videos_1 (owner_id=? AND video_id=?)']);
    }
  });
});
