// SQLite connection set-up: journal and sync modes, the data directory, open failures,
// and what callers see when the database is locked or the store is closed.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteOpenError, SqliteVideoStore } from '../../src/adapters/sqlite/store.ts';
import { StoreUnavailable } from '../../src/domain/errors.ts';
import type { Video } from '../../src/domain/video.ts';
import { sampleVideo } from '../support/videos.ts';

const directory = mkdtempSync(join(tmpdir(), 'videosvc-connection-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let fileCount = 0;
const freshPath = (): string => join(directory, `videos-${++fileCount}.sqlite`);

async function openFailure(path: string): Promise<unknown> {
  return SqliteVideoStore.open({ path }).then(
    async (store) => {
      await store.close();
      return undefined;
    },
    (err: unknown) => err,
  );
}

describe('SQLite connection', () => {
  it('a file database uses WAL with synchronous FULL by default', async () => {
    const path = freshPath();
    const store = await SqliteVideoStore.open({ path });
    expect(store.settings()).toEqual({ journalMode: 'wal', synchronous: 'FULL', busyTimeoutMs: 5_000 });
    await store.create(sampleVideo());
    await store.close();
    // WAL is a property of the file, so a later plain connection sees it too.
    const plain = new BetterSqlite3(path);
    expect(plain.pragma('journal_mode', { simple: true })).toBe('wal');
    plain.close();
  });

  it('synchronous NORMAL is used when configured', async () => {
    const store = await SqliteVideoStore.open({ path: freshPath(), synchronous: 'NORMAL' });
    expect(store.settings()).toMatchObject({ journalMode: 'wal', synchronous: 'NORMAL' });
    await store.close();
  });

  it('the data directory of the file is created when missing', async () => {
    const path = join(directory, 'nested', 'data', 'dir', 'videos.sqlite');
    const store = await SqliteVideoStore.open({ path });
    const video = await store.create(sampleVideo());
    expect(await store.get(video)).toEqual(video);
    await store.close();
    expect(existsSync(path)).toBe(true);
  });

  it(':memory: opens a working, private database', async () => {
    const one = await SqliteVideoStore.open({ path: ':memory:' });
    const two = await SqliteVideoStore.open({ path: ':memory:' });
    const video = await one.create(sampleVideo());
    expect(await one.get(video)).toEqual(video);
    expect(await two.get(video)).toBeUndefined();
    await Promise.all([one.close(), two.close()]);
  });

  it('a file that is not a database refuses to open with one line naming it', async () => {
    const path = freshPath();
    writeFileSync(path, 'this is not an SQLite database, just some text that is long enough'.repeat(20));
    const error = await openFailure(path);
    expect(error).toBeInstanceOf(SqliteOpenError);
    expect((error as Error).message).toMatch(new RegExp(`^cannot open database ${path}: [^\\n]+$`));
  });

  it('a path below a regular file refuses to open with one line naming it', async () => {
    const blocker = freshPath();
    writeFileSync(blocker, '');
    const error = await openFailure(join(blocker, 'videos.sqlite'));
    expect(error).toBeInstanceOf(SqliteOpenError);
    expect((error as Error).message).toMatch(/^cannot open database .*videos\.sqlite: [^\n]+$/);
  });

  it('a write blocked by another process past busy_timeout is StoreUnavailable; it works once the lock is gone', async () => {
    const path = freshPath();
    const store = await SqliteVideoStore.open({ path, busyTimeoutMs: 50 });
    const other = new BetterSqlite3(path);
    other.exec('begin immediate');
    const video = sampleVideo();
    const error = await store.create(video).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(StoreUnavailable);
    expect((error as Error).message).not.toMatch(/SQLITE|locked/i);
    other.exec('rollback');
    other.close();
    expect(await store.create(video)).toEqual(video);
    await store.close();
  });

  it('close waits for calls in flight, then later calls are StoreUnavailable', async () => {
    const path = freshPath();
    const store = await SqliteVideoStore.open({ path });
    const video = sampleVideo();
    const pending = store.create(video);
    await store.close();
    await expect(pending).resolves.toEqual(video);
    await expect(store.get(video)).rejects.toBeInstanceOf(StoreUnavailable);
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailable);
    await store.close();
    const reopened = await SqliteVideoStore.open({ path });
    expect(await reopened.get(video)).toEqual(video);
    await reopened.close();
  });
});

describe('allVideos', () => {
  it('hands out every video across owners exactly once, in key order, across batches', async () => {
    const store = await SqliteVideoStore.open({ path: ':memory:' });
    try {
      const made = [];
      for (const owner of ['carol', 'alice', 'bob']) {
        for (let i = 0; i < 7; i++) made.push(await store.create(sampleVideo({ ownerId: owner })));
      }
      const seen = [];
      for await (const video of store.allVideos(4)) seen.push(video);
      const byKey = (a: Video, b: Video) =>
        a.ownerId === b.ownerId ? (a.videoId < b.videoId ? -1 : 1) : a.ownerId < b.ownerId ? -1 : 1;
      expect(seen).toEqual([...made].sort(byKey));
    } finally {
      await store.close();
    }
  });
});
