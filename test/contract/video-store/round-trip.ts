// Contract: every field survives storage exactly, at its limits and at its defaults.
import { expect, it } from 'vitest';
import type { VideoStore } from '../../../src/domain/ports.ts';
import type { Video } from '../../../src/domain/video.ts';
import { sampleVideo, uniqueOwner, videoAtLimits, videoWithDefaults } from '../../support/videos.ts';

/** What every read path gives back for `video`: create's result, get, getMany and list. */
async function readBack(store: VideoStore, video: Video): Promise<Video[]> {
  const created = await store.create(video);
  const got = await store.get(video);
  const [many] = await store.getMany(video.ownerId, [video.videoId]);
  const [listed] = (await store.list({ ownerId: video.ownerId, limit: 1 })).videos;
  return [created, got!, many!, listed!];
}

/** Round-trip behaviours. */
export function roundTripContract(store: () => VideoStore): void {
  it('a video with every field at its limit reads back exactly, on every read path', async () => {
    const video = videoAtLimits();
    expect(video.labels).toSatisfy((labels: object) => Object.keys(labels).length === 64);
    expect(await readBack(store(), video)).toEqual([video, video, video, video]);
  });

  it('a video whose fields are all empty or zero reads back exactly', async () => {
    const video = videoWithDefaults();
    expect(await readBack(store(), video)).toEqual([video, video, video, video]);
  });

  it('a claimed video keeps its claim (worker, expiry to the millisecond) and its attempt count, on every read path', async () => {
    const claimed = sampleVideo({
      status: 'TRANSCODING',
      claim: { workerId: 'transcoder-7.pod@eu-west-1:3', expireTime: new Date('2026-11-29T12:34:56.789Z') },
      attemptCount: 2,
    });
    expect(await readBack(store(), claimed)).toEqual([claimed, claimed, claimed, claimed]);
    const expired = sampleVideo({ status: 'TRANSCODING', claim: { workerId: 'w', expireTime: new Date(0) }, attemptCount: 4_294_967_295 });
    expect(await readBack(store(), expired)).toEqual([expired, expired, expired, expired]);
  });

  it('size_bytes keeps every bit from 0 to 2^64-1', async () => {
    const sizes = [0n, 1n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 63n + 1n, 2n ** 64n - 2n, 2n ** 64n - 1n];
    const videos = sizes.map((sizeBytes) => sampleVideo({ sizeBytes }));
    await Promise.all(videos.map((video) => store().create(video)));
    for (const video of videos) expect((await store().get(video))?.sizeBytes).toBe(video.sizeBytes);
  });

  it('duration_seconds keeps the exact double', async () => {
    const durations = [0.1, 1 / 3, 1e100, 5e-324, Number.MAX_VALUE, 0, 7200];
    const videos = durations.map((durationSeconds) => sampleVideo({ durationSeconds }));
    await Promise.all(videos.map((video) => store().create(video)));
    for (const video of videos) {
      expect(Object.is((await store().get(video))?.durationSeconds, video.durationSeconds)).toBe(true);
    }
  });

  it('times keep millisecond precision, and update_time may differ from create_time', async () => {
    const video = sampleVideo({ createTime: new Date(1_700_000_000_123), updateTime: new Date(1_700_000_456_789) });
    const stored = await store().create(video);
    expect([stored.createTime.getTime(), stored.updateTime.getTime()]).toEqual([1_700_000_000_123, 1_700_000_456_789]);
    const read = await store().get(video);
    expect([read?.createTime.getTime(), read?.updateTime.getTime()]).toEqual([1_700_000_000_123, 1_700_000_456_789]);
  });

  it('every status reads back as itself', async () => {
    const ownerId = uniqueOwner();
    const statuses = ['UPLOADED', 'TRANSCODING', 'TRANSCODED', 'COMPLETED', 'FAILED'] as const;
    const videos = statuses.map((status) => sampleVideo({ ownerId, status }));
    await Promise.all(videos.map((video) => store().create(video)));
    const found = await store().getMany(ownerId, videos.map((video) => video.videoId));
    expect(new Map(found.map((video) => [video.videoId, video.status]))).toEqual(
      new Map(videos.map((video) => [video.videoId, video.status])),
    );
  });
}
