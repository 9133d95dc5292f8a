// The work index's keys and how each write keeps them (work-index.ts,
// status-change-writes.ts), without a server: the shard spread SPEC §9 asks for, the
// readyAt text order, and the update groups derived from claim.ts's rule.
import { v7 as uuidV7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { readyTimeAfterWrite } from '../../src/domain/claim.ts';
import { allowedFrom } from '../../src/domain/lifecycle.ts';
import { videoStatuses, type VideoStatus } from '../../src/domain/video.ts';
import { statusChangeWrites } from '../../src/adapters/dynamo/status-change-writes.ts';
import { sortableTime, workShardCount, workShardOf, workWriteOf } from '../../src/adapters/dynamo/work-index.ts';

describe('the shard key', () => {
  it.each([
    ['1 000 owners, 100 000 videos', 1000, 100_000],
    ['one owner uploading 10 000 videos in one burst', 1, 10_000],
    ['1 000 videos', 50, 1000],
  ])('%s: no shard takes more than an eighth of the writes', (_name, owners, videos) => {
    const perShard = new Array<number>(workShardCount).fill(0);
    for (let i = 0; i < videos; i++) perShard[workShardOf(`owner-${i % owners}`, uuidV7())]! += 1;
    const largestShare = Math.max(...perShard) / videos;
    console.log(`${videos} videos of ${owners} owners over ${workShardCount} shards: largest share ${(100 * largestShare).toFixed(2)}% (limit 12.5%)`);
    expect(largestShare).toBeLessThan(1 / 8);
  });

  it('is the same for every write of one video', () => {
    const id = uuidV7();
    expect(new Set(Array.from({ length: 5 }, () => workShardOf('alice', id))).size).toBe(1);
  });
});

describe('readyAt text', () => {
  it('sorts as the times do, with a fixed width, clamped to years 0..9999', () => {
    const times = [Date.UTC(-5, 0, 1), Date.UTC(1999, 0, 1), Date.UTC(2024, 5, 1, 12, 0, 0, 7), Date.UTC(2024, 5, 1, 12, 0, 0, 70), 8.64e15];
    const texts = times.map((time) => sortableTime(new Date(time)));
    expect(texts.toSorted()).toEqual(texts);
    expect(new Set(texts.map((text) => text.length))).toEqual(new Set([24]));
    expect(texts.at(-1)).toBe('9999-12-31T23:59:59.999Z');
  });
});

describe('what an update does to readyAt', () => {
  const now = new Date(5_000);
  const stored = new Date(1_000);
  const expiry = new Date(9_000);

  it.each(videoStatuses.flatMap((from) => videoStatuses.map((to) => [from, to] as const)))(
    '%s → %s matches claim.ts readyTimeAfterWrite',
    (from: VideoStatus, to: VideoStatus) => {
      const write = workWriteOf(from, to);
      // What the stored readyAt becomes under the write, for an item with and without one.
      const apply = (current: Date | undefined): Date | undefined =>
        write === 'remove' ? undefined : write === 'now' ? now : write === 'keep-or-now' ? (current ?? now) : current;
      // A TRANSCODING video holds its claim's expiry as readyAt, and keeps the claim when it stays TRANSCODING.
      const claim = from === 'TRANSCODING' && to === 'TRANSCODING' ? { workerId: 'w', expireTime: expiry } : undefined;
      const storedBefore = from === 'TRANSCODING' ? expiry : stored;
      expect(apply(storedBefore)).toEqual(readyTimeAfterWrite({ status: from, readyTime: storedBefore }, { status: to, claim, attemptCount: 0 }, now));
      if (from === 'UPLOADED') expect(apply(undefined)).toEqual(readyTimeAfterWrite({ status: from, readyTime: undefined }, { status: to, claim, attemptCount: 0 }, now));
    },
  );

  it('sends one write per distinct effect, a real change first: a give-back and a plain TRANSCODING are guessed right', () => {
    const change = (status: VideoStatus) => ({ fields: { status }, updateTime: now });
    const groups = (status: VideoStatus) => statusChangeWrites(change(status), { statusIn: allowedFrom(status) }).map((write) => [write.expect.statusIn, write.effects?.work]);
    expect(groups('UPLOADED')).toEqual([
      [['TRANSCODING'], 'now'],
      [['FAILED'], 'now'],
      [['UPLOADED'], 'keep-or-now'],
    ]);
    expect(groups('TRANSCODING')).toEqual([
      [['UPLOADED'], 'remove'],
      [['TRANSCODING'], 'keep'],
    ]);
    for (const status of ['TRANSCODED', 'COMPLETED', 'FAILED'] as const) {
      expect(groups(status)).toEqual([[allowedFrom(status), 'remove']]);
    }
  });
});
