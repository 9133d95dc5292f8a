// How a video is laid out in the `videos` row: the same words and units as the DynamoDB
// items (SPEC §1), and size_bytes as a signed int64 that still round-trips as uint64.
import fc from 'fast-check';
import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteVideoStore } from '../../src/adapters/sqlite/store.ts';
import { limits } from '../../src/domain/validation.ts';
import { sampleVideo } from '../support/videos.ts';

const directory = mkdtempSync(join(tmpdir(), 'videosvc-rows-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('SQLite row layout', () => {
  it('stores the lowercase status, JSON labels, epoch milliseconds and size_bytes as its signed 64 bits', async () => {
    const path = join(directory, 'layout.sqlite');
    const store = await SqliteVideoStore.open({ path });
    const video = sampleVideo({
      status: 'TRANSCODED',
      labels: { lang: 'de', team: 'ü' },
      sizeBytes: limits.sizeBytesMax,
      createTime: new Date(1_700_000_000_123),
      updateTime: new Date(1_700_000_000_456),
    });
    await store.create(video);
    await store.close();

    const plain = new BetterSqlite3(path, { readonly: true });
    plain.defaultSafeIntegers(true);
    const row = plain.prepare('select * from videos').get() as Record<string, unknown>;
    plain.close();
    expect(row).toMatchObject({
      owner_id: video.ownerId,
      video_id: video.videoId,
      status: 'transcoded',
      labels: '{"lang":"de","team":"ü"}',
      size_bytes: -1n,
      create_time: 1_700_000_000_123n,
      update_time: 1_700_000_000_456n,
      version: 1n,
      width: 1920n,
    });
  });

  it('every size_bytes from 0 to 2^64-1 round-trips exactly', async () => {
    const store = await SqliteVideoStore.open({ path: ':memory:' });
    const ownerId = 'size-owner';
    await fc.assert(
      fc.asyncProperty(fc.bigInt({ min: 0n, max: limits.sizeBytesMax }), async (sizeBytes) => {
        const video = await store.create(sampleVideo({ ownerId, sizeBytes }));
        expect((await store.get(video))?.sizeBytes).toBe(sizeBytes);
        expect((await store.update(video, { fields: { sizeBytes }, updateTime: new Date() }, {})).sizeBytes).toBe(sizeBytes);
      }),
      { numRuns: 300 },
    );
    await store.close();
  });
});
