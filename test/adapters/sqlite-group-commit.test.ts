// Group commit on the SQLite writer: writes that queue while a commit runs share the next
// transaction, one failing write fails only its own call while its neighbours commit, a
// group waits for a lock as long as its latest deadline allows and skips members whose
// deadline passed meanwhile, and reads keep answering while a group waits for a lock
// held by another process.
import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/adapters/sqlite/connection.ts';
import { SqliteVideoStore } from '../../src/adapters/sqlite/store.ts';
import { WriteExecutor } from '../../src/adapters/sqlite/write-executor.ts';
import { AlreadyExists, IllegalTransition, StaleEtag, StoreUnavailable } from '../../src/domain/errors.ts';
import { startSqliteChild } from '../support/sqlite-processes.ts';
import { sqliteStoreEachTest } from '../support/sqlite-store-each-test.ts';
import { sampleVideo } from '../support/videos.ts';

let path: string;
let store: SqliteVideoStore;
let other: BetterSqlite3.Database;
sqliteStoreEachTest('videosvc-group-commit-', (fresh) => ({ path, store, other } = fresh));

const settle = <T>(call: Promise<T>): Promise<T | Error> => call.catch((error: unknown) => error as Error);

function storedIds(): string[] {
  return (other.prepare('select video_id from videos order by video_id').all() as Array<{ video_id: string }>).map(
    (row) => row.video_id,
  );
}

describe('SQLite group commit', () => {
  it('writes queued behind a lock wait commit in one transaction; the taken key, the stale etag and the illegal transition fail alone', async () => {
    const existing = await store.create(sampleVideo());
    const claimed = await store.create(sampleVideo());
    const commitsBefore = store.commitCount();

    // The writer thread waits for this lock inside its first group (one create), so every
    // write sent meanwhile queues behind it and goes into the next group together.
    other.exec('begin immediate');
    const opener = store.create(sampleVideo(), { deadline: Date.now() + 5_000 });
    await sleep(100);
    const fresh = Array.from({ length: 8 }, () => sampleVideo());
    const twin = sampleVideo();
    const calls = {
      fresh: fresh.map((video) => settle(store.create(video, { deadline: Date.now() + 5_000 }))),
      taken: settle(store.create(existing, { deadline: Date.now() + 5_000 })),
      twinFirst: settle(store.create(twin, { deadline: Date.now() + 5_000 })),
      twinSecond: settle(store.create(twin, { deadline: Date.now() + 5_000 })),
      stale: settle(store.update(existing, { fields: { title: 'stale' }, updateTime: new Date() }, { version: 9 })),
      illegal: settle(
        store.update(claimed, { fields: { status: 'COMPLETED' }, updateTime: new Date() }, { statusIn: ['TRANSCODED'] }),
      ),
      retitled: settle(store.update(claimed, { fields: { title: 'renamed' }, updateTime: new Date() }, { version: 1 })),
    };
    await sleep(100);
    other.exec('rollback');

    await opener;
    expect(await Promise.all(calls.fresh)).toEqual(fresh);
    const taken = await calls.taken;
    expect(taken).toBeInstanceOf(AlreadyExists);
    expect((taken as Error).message).toBe(AlreadyExists.video(existing).message);
    // The same new key twice in one group: the first inserts it, the second sees it taken.
    expect(await calls.twinFirst).toEqual(twin);
    expect(await calls.twinSecond).toBeInstanceOf(AlreadyExists);
    expect(await calls.stale).toBeInstanceOf(StaleEtag);
    expect(await calls.illegal).toBeInstanceOf(IllegalTransition);
    expect(await calls.retitled).toMatchObject({ title: 'renamed', version: 2 });

    // Two commits: the opener's group, then one for the thirteen writes queued behind it.
    expect(store.commitCount() - commitsBefore).toBe(2);
    const expected = [existing, claimed, ...fresh, twin].map((video) => video.videoId);
    const stored = storedIds();
    expect(stored).toEqual(expect.arrayContaining(expected));
    expect(stored).toHaveLength(expected.length + 1);
    expect(other.prepare('select title, version from videos where video_id = ?').get(existing.videoId)).toEqual({
      title: existing.title,
      version: 1,
    });
  });

  it('64 concurrent creates share commits: far fewer commits than writes, every create stored', async () => {
    const videos = Array.from({ length: 64 }, () => sampleVideo());
    const commitsBefore = store.commitCount();
    expect(await Promise.all(videos.map((video) => store.create(video)))).toEqual(videos);
    const commits = store.commitCount() - commitsBefore;
    console.log(`64 concurrent creates: ${commits} commits`);
    expect(commits).toBeGreaterThanOrEqual(1);
    expect(commits).toBeLessThan(32);
    expect(storedIds()).toHaveLength(64);
  });

  it("a group waits for the lock until its latest deadline: the member whose deadline passed meanwhile is skipped, its neighbour commits", async () => {
    other.exec('begin immediate');
    const started = Date.now();
    const opener = settle(store.create(sampleVideo(), { deadline: started + 300 }));
    await sleep(50);
    const short = sampleVideo();
    const long = sampleVideo();
    const shortDone = settle(store.create(short, { deadline: started + 500 }).finally(() => (shortAt = Date.now() - started)));
    const longDone = settle(store.create(long, { deadline: started + 5_000 }));
    let shortAt = 0;
    // The opener gives up at 300 ms; the group {short, long} then waits for the lock
    // with long's deadline, past short's, and gets it at 800 ms.
    await sleep(800 - (Date.now() - started));
    other.exec('rollback');

    expect(await opener).toBeInstanceOf(StoreUnavailable);
    expect(await shortDone).toBeInstanceOf(StoreUnavailable);
    expect(shortAt).toBeLessThan(800);
    expect(await longDone).toEqual(long);
    expect(await store.get(short)).toBeUndefined();
    expect(storedIds()).toEqual([long.videoId]);
  });

  it('reads answer while a group of writes waits on a lock held by another process, and the group commits once it is released', async () => {
    const stored = await store.create(sampleVideo());
    const holder = startSqliteChild('hold-lock', path, '700');
    await holder.printed('locked');
    const videos = Array.from({ length: 16 }, () => sampleVideo());
    const writes = Promise.all(videos.map((video) => store.create(video, { deadline: Date.now() + 5_000 })));
    let writesSettled = false;
    void writes.finally(() => (writesSettled = true));
    const readMs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      expect(await store.get(stored)).toEqual(stored);
      expect((await store.list({ ownerId: stored.ownerId, limit: 10 })).videos).toEqual([stored]);
      readMs.push(performance.now() - started);
      await sleep(10);
    }
    // All twenty reads were answered while the group still waited for the lock.
    expect(writesSettled).toBe(false);
    console.log(`reads during another process's lock: max ${Math.max(...readMs).toFixed(2)} ms over ${readMs.length}`);
    expect(Math.max(...readMs)).toBeLessThan(200);
    expect((await holder.done).lines).toEqual(['locked', 'released']);
    expect(await writes).toEqual(videos);
  });
});

describe('SQLite write executor savepoints', () => {
  it('a write that fails after changing rows is rolled back to its savepoint alone; its neighbours commit', () => {
    const connection = connect({ path: `${path}.executor.sqlite`, synchronous: 'FULL', busyTimeoutMs: 100 });
    try {
      connection.exec('create table t (x integer primary key)');
      connection.exec('insert into t values (1)');
      const executor = new WriteExecutor(connection, undefined, 1_000);
      const deadline = Date.now() + 10_000;
      const statement = (sql: string) => ({ kind: 'statement' as const, statement: { sql, parameters: [] } });
      const group = executor.executeGroup([
        { id: 1, deadline, program: statement('insert into t values (2)') },
        // OR FAIL keeps the rows inserted before the conflict: 10 is written, then 1
        // fails. Only the savepoint takes 10 back out again.
        { id: 2, deadline, program: statement('insert or fail into t values (10), (1)') },
        { id: 3, deadline, program: statement('insert into t values (3)') },
        { id: 4, deadline: Date.now() - 1, program: statement('insert into t values (4)') },
      ]);
      expect(group.wrote).toBe(true);
      expect(group.replies.map((reply) => (reply.ok ? 'ok' : `${reply.failure.reason} ${reply.failure.code}`))).toEqual([
        'ok',
        'sqlite SQLITE_CONSTRAINT_PRIMARYKEY',
        'ok',
        'expired undefined',
      ]);
      expect(connection.prepare('select x from t order by x').pluck().all()).toEqual([1, 2, 3]);
      expect(connection.inTransaction).toBe(false);
    } finally {
      connection.close();
    }
  });
});
