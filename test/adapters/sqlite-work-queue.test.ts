// SQLite's work queue (migration 0004): ready_time says from when a video waits to be
// claimed (claim.ts `readyTimeAfterWrite`), every write keeps it so, and the next
// claimable video is found through the partial index in claim order, with no sort.
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { claimStatement, failExhaustedHeadStatement } from '../../src/adapters/sqlite/queries.ts';
import type { Database } from '../../src/adapters/sqlite/schema.ts';
import { SqliteVideoStore } from '../../src/adapters/sqlite/store.ts';
import { allowedFrom } from '../../src/domain/lifecycle.ts';
import type { Video, VideoStatus } from '../../src/domain/video.ts';
import { sqliteStoreEachTest } from '../support/sqlite-store-each-test.ts';
import { sampleVideo } from '../support/videos.ts';

let store: SqliteVideoStore;
let other: BetterSqlite3.Database;
sqliteStoreEachTest('videosvc-queue-', (fresh) => ({ store, other } = fresh));

const readyTime = (video: Video): number | null => {
  const value = other.prepare('select ready_time from videos where owner_id = ? and video_id = ?').pluck().get(video.ownerId, video.videoId);
  return value === null ? null : Number(value);
};
const at = (iso: string) => new Date(iso);
const claim = { workerId: 'w', expireTime: at('2026-11-29T12:10:00.000Z') };

async function setStatus(video: Video, status: VideoStatus, updateTime: Date): Promise<Video> {
  return store.update(video, { fields: { status }, updateTime }, { statusIn: allowedFrom(status) });
}

describe('SQLite work queue', () => {
  it('a new video waits from its creation if UPLOADED, from its claim expiry if claimed, and not at all otherwise', async () => {
    const created = at('2026-11-29T12:00:00.000Z');
    const uploaded = await store.create(sampleVideo({ createTime: created, updateTime: created }));
    const claimed = await store.create(sampleVideo({ status: 'TRANSCODING', claim, attemptCount: 1, createTime: created, updateTime: created }));
    const done = await store.create(sampleVideo({ status: 'TRANSCODED', createTime: created, updateTime: created }));
    expect([readyTime(uploaded), readyTime(claimed), readyTime(done)]).toEqual([created.getTime(), claim.expireTime.getTime(), null]);
  });

  it('an edit keeps a waiting video in its place; becoming UPLOADED again starts its wait anew; leaving the queue clears it', async () => {
    const created = at('2026-11-29T12:00:00.000Z');
    const later = at('2026-11-29T12:30:00.000Z');
    const uploaded = await store.create(sampleVideo({ createTime: created, updateTime: created }));
    await store.update(uploaded, { fields: { title: 'Edited' }, updateTime: later }, {});
    await setStatus(uploaded, 'UPLOADED', later);
    expect(readyTime(uploaded)).toBe(created.getTime());

    const claimed = await store.create(sampleVideo({ status: 'TRANSCODING', claim, attemptCount: 1 }));
    await store.update(claimed, { fields: { title: 'Still mine' }, updateTime: later }, {});
    expect(readyTime(claimed)).toBe(claim.expireTime.getTime());
    await setStatus(claimed, 'UPLOADED', later); // given back
    expect(readyTime(claimed)).toBe(later.getTime());

    const failed = await store.create(sampleVideo({ status: 'FAILED' }));
    expect(readyTime(failed)).toBeNull();
    await setStatus(failed, 'UPLOADED', later); // retried
    expect(readyTime(failed)).toBe(later.getTime());

    await setStatus(failed, 'TRANSCODING', later); // a plain update makes no claim: out of the queue
    expect(readyTime(failed)).toBeNull();
    await setStatus(uploaded, 'TRANSCODED', later);
    expect(readyTime(uploaded)).toBeNull();
  });

  it('the claim and the failing of an exhausted head find the head through the partial index, without a sort or a scan', () => {
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: other }) });
    const values = { workerId: 'w', now: Date.now(), expireTime: Date.now() + 60_000, maxAttempts: 3 };
    for (const statement of [claimStatement(db, values), failExhaustedHeadStatement(db, values)]) {
      const compiled = statement.compile();
      const plan = other.prepare(`explain query plan ${compiled.sql}`).all(...(compiled.parameters as unknown[])) as Array<{ detail: string }>;
      const details = plan.map((step) => step.detail).join(' | ');
      expect(details).toContain('videos_work_queue');
      expect(details).toMatch(/SEARCH videos USING INTEGER PRIMARY KEY \(rowid=\?\)/);
      expect(details).not.toContain('TEMP B-TREE');
      expect(details).not.toMatch(/SCAN videos(?! USING)/);
    }
  });

  it('the next claimable video is read from the partial index in claim order, without a sort', () => {
    const plan = other
      .prepare(
        `explain query plan select owner_id, video_id from videos
         where ready_time <= ? and attempt_count < ? order by ready_time, owner_id, video_id limit 1`,
      )
      .all(Date.now(), 3) as Array<{ detail: string }>;
    const details = plan.map((step) => step.detail).join(' | ');
    expect(details).toContain('videos_work_queue');
    expect(details).not.toContain('TEMP B-TREE');
  });
});
