// SQLite migrations: run at open, idempotent, and a newer schema refuses to open.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { migrations } from '../../src/adapters/sqlite/migrations/index.ts';
import { openDatabase } from '../../src/adapters/sqlite/open.ts';
import { SchemaTooNew, SqliteOpenError, SqliteVideoStore } from '../../src/adapters/sqlite/store.ts';
import { sampleVideo } from '../support/videos.ts';

const directory = mkdtempSync(join(tmpdir(), 'videosvc-migrations-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let fileCount = 0;
const freshPath = (): string => join(directory, `videos-${++fileCount}.sqlite`);

/** Runs `read` on a separate, plain connection to the file, then closes it. */
function inspect<T>(path: string, read: (connection: BetterSqlite3.Database) => T): T {
  const connection = new BetterSqlite3(path);
  try {
    return read(connection);
  } finally {
    connection.close();
  }
}

const appliedMigrations = (path: string): string[] =>
  inspect(path, (c) => c.prepare('select name from kysely_migration order by name').pluck().all() as string[]);

describe('SQLite migrations', () => {
  it('a fresh database gets the videos table, its primary key, both newest-first indexes and the work queue index', async () => {
    const path = freshPath();
    await (await SqliteVideoStore.open({ path })).close();
    expect(appliedMigrations(path)).toEqual(['0001_videos', '0002_failure_reason', '0003_claims', '0004_work_queue']);
    const indexes = inspect(path, (c) =>
      c.prepare("select name from sqlite_master where type = 'index' and tbl_name = 'videos' order by name")
        .pluck()
        .all(),
    );
    expect(indexes).toEqual(['sqlite_autoindex_videos_1', 'videos_owner_newest', 'videos_owner_status_newest', 'videos_work_queue']);
    const columns = inspect(path, (c) => c.pragma('table_info(videos)') as { name: string; pk: number }[]);
    const primaryKey = columns.filter((column) => column.pk > 0).map((column) => column.name);
    expect(primaryKey).toEqual(['owner_id', 'video_id']);
  });

  it('0002 to 0004 upgrade a database made by 0001: its videos read with no failure reason, no claim and no attempts', async () => {
    const path = freshPath();
    const { db } = await openDatabase({ path }, { '0001_videos': migrations['0001_videos']! });
    await db.destroy();
    const old = sampleVideo();
    inspect(path, (c) =>
      c
        .prepare(
          `insert into videos (owner_id, video_id, original_name, title, status, original_key, transcoded_key, thumb_key,
             duration_seconds, format, width, height, size_bytes, labels, create_time, update_time, version)
           values (?, ?, ?, ?, 'failed', '', '', '', 0, '', 0, 0, 0, '{}', ?, ?, 1)`,
        )
        .run(old.ownerId, old.videoId, old.originalName, old.title, old.createTime.getTime(), old.updateTime.getTime()),
    );
    const store = await SqliteVideoStore.open({ path });
    try {
      expect(appliedMigrations(path)).toEqual(['0001_videos', '0002_failure_reason', '0003_claims', '0004_work_queue']);
      expect((await store.get(old))?.failureReason).toBe('');
      expect((await store.get(old))?.attemptCount).toBe(0);
      expect((await store.get(old))?.claim).toBeUndefined();
      // 0004: a FAILED video is not in the work queue.
      expect(inspect(path, (c) => c.prepare('select ready_time from videos where video_id = ?').pluck().get(old.videoId))).toBeNull();
      const updated = await store.update(old, { fields: { failureReason: 'no audio track' }, updateTime: new Date() }, {});
      expect(updated.failureReason).toBe('no audio track');
      expect((await store.get(old))?.failureReason).toBe('no audio track');
    } finally {
      await store.close();
    }
  });

  it('a second open is a no-op and keeps the data', async () => {
    const path = freshPath();
    const video = sampleVideo();
    const first = await SqliteVideoStore.open({ path });
    await first.create(video);
    await first.close();
    const applied = inspect(path, (c) => c.prepare('select name, timestamp from kysely_migration').all());

    const second = await SqliteVideoStore.open({ path });
    expect(await second.get(video)).toEqual(video);
    await second.close();
    expect(inspect(path, (c) => c.prepare('select name, timestamp from kysely_migration').all())).toEqual(applied);
  });

  it('a database with a migration this build does not know refuses to open with SchemaTooNew', async () => {
    const path = freshPath();
    const video = sampleVideo();
    const store = await SqliteVideoStore.open({ path });
    await store.create(video);
    await store.close();
    const newer = "insert into kysely_migration (name, timestamp) values ('9999_x', ?)";
    inspect(path, (c) => c.prepare(newer).run(new Date().toISOString()));

    const error = await SqliteVideoStore.open({ path }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(SchemaTooNew);
    expect(error).toBeInstanceOf(SqliteOpenError);
    expect((error as SchemaTooNew).message).toBe(
      `database ${path} has schema version 9999_x, newer than this videosvc knows (0004_work_queue); upgrade videosvc`,
    );
    expect(appliedMigrations(path)).toEqual(['0001_videos', '0002_failure_reason', '0003_claims', '0004_work_queue', '9999_x']);
    expect(inspect(path, (c) => c.prepare('select count(*) from videos').pluck().get())).toBe(1);
  });
});
