// Reads that share one read transaction (read-snapshot.ts) stay linearizable: a read shares
// the open snapshot only if its request was received before that snapshot began, and every
// snapshot ends by the next turn of the event loop. The writes here come from a second
// connection, as from another process, and from the store's own writer thread.
import { setImmediate as nextTurn } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteVideoStore } from '../../src/adapters/sqlite/store.ts';
import { sqliteStoreEachTest } from '../support/sqlite-store-each-test.ts';
import { sampleVideo } from '../support/videos.ts';

let store: SqliteVideoStore;
let other: BetterSqlite3.Database;
sqliteStoreEachTest('videosvc-snapshot-', (fresh) => ({ store, other } = fresh));

const retitle = (key: { ownerId: string; videoId: string }, title: string): void => {
  other.prepare('update videos set title = ? where owner_id = ? and video_id = ?').run(title, key.ownerId, key.videoId);
};

describe('SQLite reads sharing a snapshot', () => {
  it('a read received before the snapshot began shares it; one received after a commit sees the commit', async () => {
    const video = await store.create(sampleVideo());
    const receivedEarly = process.hrtime.bigint();
    expect((await store.get(video, { receivedNs: receivedEarly }))?.title).toBe('Holiday');
    retitle(video, 'Committed elsewhere');
    // Same turn, received before the snapshot began: the snapshot may answer (the write was
    // not acknowledged before this request arrived).
    expect((await store.get(video, { receivedNs: receivedEarly }))?.title).toBe('Holiday');
    // Received after the commit: a fresh snapshot, which holds it.
    const receivedLate = process.hrtime.bigint();
    expect((await store.get(video, { receivedNs: receivedLate }))?.title).toBe('Committed elsewhere');
    // A read with no arrival time never uses a shared snapshot.
    retitle(video, 'Again');
    expect((await store.get(video))?.title).toBe('Again');
  });

  it('ends every snapshot by the next turn, so it holds back neither fresher reads nor a checkpoint', async () => {
    const video = await store.create(sampleVideo());
    const received = process.hrtime.bigint();
    expect((await store.get(video, { receivedNs: received }))?.title).toBe('Holiday');
    retitle(video, 'Later');
    await nextTurn();
    // Same old arrival, but the snapshot it could have shared has ended.
    expect((await store.get(video, { receivedNs: received }))?.title).toBe('Later');
    await nextTurn();
    // No reader left in the WAL: a truncating checkpoint by the other connection completes.
    const [result] = other.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number; log: number; checkpointed: number }>;
    expect(result).toEqual({ busy: 0, log: 0, checkpointed: 0 });
  });

  it("sees the store's own acknowledged write in a read received after it, within the same snapshot's turn", async () => {
    const video = await store.create(sampleVideo());
    const received = process.hrtime.bigint();
    expect((await store.get(video, { receivedNs: received }))?.title).toBe('Holiday');
    const updated = await store.update(video, { fields: { title: 'Mine' }, updateTime: new Date() }, {});
    expect(updated.title).toBe('Mine');
    expect((await store.get(video, { receivedNs: process.hrtime.bigint() }))?.title).toBe('Mine');
  });

  it('lists and batch reads share it too', async () => {
    const video = await store.create(sampleVideo());
    const received = process.hrtime.bigint();
    const titles = (videos: ReadonlyArray<{ title: string }>) => videos.map((each) => each.title);
    expect(titles((await store.list({ ownerId: video.ownerId, limit: 10 }, { receivedNs: received })).videos)).toEqual(['Holiday']);
    retitle(video, 'Elsewhere');
    expect(titles(await store.getMany(video.ownerId, [video.videoId], { receivedNs: received }))).toEqual(['Holiday']);
    expect(titles(await store.getMany(video.ownerId, [video.videoId], { receivedNs: process.hrtime.bigint() }))).toEqual(['Elsewhere']);
    retitle(video, 'Once more');
    expect(titles((await store.list({ ownerId: video.ownerId, limit: 10 }, { receivedNs: process.hrtime.bigint() })).videos)).toEqual(['Once more']);
  });
});
