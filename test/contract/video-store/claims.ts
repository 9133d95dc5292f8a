// Contract: granting and renewing claims (SPEC §9), the same on every store: the order,
// expiry and reclaim, the attempts limit, renewals, what status changes do to the queue,
// and exactly one holder under a race.
//
// The queue spans every owner, and the suite shares one store with tests that leave
// claimable videos behind. So each test here lives in an era of its own: its videos are
// created (and so wait) from a base instant in the 1990s, and its grants' `now` stays
// inside that era. Each test's era lies before every earlier test's, so nothing left
// behind is claimable at the instants a later test claims at (videos made by the rest of
// the suite wait from the present).
import { expect, it } from 'vitest';
import { exhaustedReason } from '../../../src/domain/claim.ts';
import { FailedPrecondition, NotFound, StaleEtag } from '../../../src/domain/errors.ts';
import { allowedFrom } from '../../../src/domain/lifecycle.ts';
import type { ClaimGrant, VideoStore } from '../../../src/domain/ports.ts';
import type { Video, VideoStatus } from '../../../src/domain/video.ts';
import { sampleVideo } from '../../support/videos.ts';

const second = 1000;
const minute = 60 * second;
const eraLength = 30 * 24 * 60 * minute;
let nextEra = Date.UTC(1999, 0, 1);

/** The base instant of a new era, before every era handed out so far. */
function newEra(): number {
  nextEra -= eraLength;
  return nextEra;
}

function grantAt(now: number, workerId = 'worker-a', leaseMs = minute, maxAttempts = 3): ClaimGrant {
  return { workerId, now: new Date(now), expireTime: new Date(now + leaseMs), maxAttempts };
}

/** Claims until nothing is claimable, and returns what was claimed, in order. */
async function drain(store: VideoStore, now: number, maxAttempts = 3): Promise<Video[]> {
  const claimed: Video[] = [];
  for (;;) {
    const video = await store.claimNext(grantAt(now, 'drainer', minute, maxAttempts));
    if (video === undefined) return claimed;
    claimed.push(video);
  }
}

/** Claim behaviours. */
export function claimContract(store: () => VideoStore): void {
  const createAt = (at: number, overrides: Partial<Video> = {}) => store().create(sampleVideo({ createTime: new Date(at), updateTime: new Date(at), ...overrides }));
  const setStatus = (video: Video, status: VideoStatus, at: number) =>
    store().update(video, { fields: { status }, updateTime: new Date(at) }, { statusIn: allowedFrom(status) });

  it('hands out the video that has waited longest, across owners, and writes the claim', async () => {
    const era = newEra();
    const second_ = await createAt(era + 2 * second);
    const first = await createAt(era + 1 * second);
    const third = await createAt(era + 3 * second);
    const now = era + 10 * second;
    const claimed = await store().claimNext(grantAt(now, 'worker-a', 5 * minute));
    expect(claimed).toEqual({
      ...first,
      status: 'TRANSCODING',
      claim: { workerId: 'worker-a', expireTime: new Date(now + 5 * minute) },
      attemptCount: 1,
      version: first.version + 1,
      updateTime: new Date(now),
    });
    expect(await store().get(first)).toEqual(claimed);
    expect((await drain(store(), now)).map((video) => video.videoId)).toEqual([second_.videoId, third.videoId]);
  });

  it('hands out nothing that waits from later than now, and nothing that is not UPLOADED', async () => {
    const era = newEra();
    const later = await createAt(era + 20 * second);
    for (const status of ['TRANSCODED', 'COMPLETED', 'FAILED'] as const) await createAt(era, { status });
    // Set TRANSCODING by a plain update (SPEC §2), not by a claim: never claimable.
    const plain = await setStatus(await createAt(era), 'TRANSCODING', era + second);
    expect(plain.claim).toBeUndefined();
    expect(await store().claimNext(grantAt(era + 10 * second))).toBeUndefined();
    expect((await drain(store(), era + 30 * second)).map((video) => video.videoId)).toEqual([later.videoId]);
    expect(await store().claimNext(grantAt(era + 40 * second))).toBeUndefined();
    expect(await store().get(plain)).toEqual(plain);
  });

  it('a claim expires: the video goes to the next worker, and the old holder\'s etag is refused', async () => {
    const era = newEra();
    const video = await createAt(era);
    const held = (await store().claimNext(grantAt(era + second, 'worker-a', minute)))!;
    expect(await store().claimNext(grantAt(era + 30 * second, 'worker-b'))).toBeUndefined();
    const now = era + second + minute;
    const reclaimed = (await store().claimNext(grantAt(now, 'worker-b', 2 * minute)))!;
    expect(reclaimed).toMatchObject({
      videoId: video.videoId,
      status: 'TRANSCODING',
      claim: { workerId: 'worker-b', expireTime: new Date(now + 2 * minute) },
      attemptCount: 2,
      version: held.version + 1,
    });
    await expect(
      store().update(held, { fields: { status: 'TRANSCODED' }, updateTime: new Date(now) }, { version: held.version, statusIn: allowedFrom('TRANSCODED') }),
    ).rejects.toBeInstanceOf(StaleEtag);
  });

  it('a video claimed as often as allowed is failed with the reason, and the next one is handed out', async () => {
    const era = newEra();
    const maxAttempts = 2;
    const worn = await createAt(era);
    const next = await createAt(era + 10 * minute);
    expect(await store().claimNext(grantAt(era + second, 'worker-1', minute, maxAttempts))).toMatchObject({ videoId: worn.videoId, attemptCount: 1 });
    expect(await store().claimNext(grantAt(era + 2 * minute, 'worker-2', minute, maxAttempts))).toMatchObject({ videoId: worn.videoId, attemptCount: 2 });
    // At 11 minutes both wait: the worn one since its second claim expired (3 minutes in), so it comes first.
    const now = era + 11 * minute;
    expect(await store().claimNext(grantAt(now, 'worker-3', minute, maxAttempts))).toMatchObject({ videoId: next.videoId, attemptCount: 1 });
    expect(await store().get(worn)).toMatchObject({
      status: 'FAILED',
      claim: undefined,
      attemptCount: maxAttempts,
      failureReason: exhaustedReason(maxAttempts),
      updateTime: new Date(now),
    });
    expect(await store().claimNext(grantAt(now + 10 * minute, 'worker-4', minute, maxAttempts))).toMatchObject({ videoId: next.videoId, attemptCount: 2 });
    expect(await drain(store(), now + 20 * minute, maxAttempts)).toEqual([]);
    expect(await store().get(next)).toMatchObject({ status: 'FAILED', failureReason: exhaustedReason(maxAttempts) });
  });

  it('a retry after an exhausted claim makes the video claimable again from its first attempt', async () => {
    const era = newEra();
    const video = await createAt(era);
    await store().claimNext(grantAt(era + second, 'worker-a', minute, 1));
    expect(await store().claimNext(grantAt(era + 2 * minute, 'worker-b', minute, 1))).toBeUndefined();
    const failed = (await store().get(video))!;
    expect(failed).toMatchObject({ status: 'FAILED', failureReason: exhaustedReason(1) });
    const retried = await setStatus(failed, 'UPLOADED', era + 3 * minute);
    expect(retried).toMatchObject({ attemptCount: 0, failureReason: '' });
    expect(await store().claimNext(grantAt(era + 3 * minute - 1, 'worker-c', minute, 1))).toBeUndefined();
    expect(await store().claimNext(grantAt(era + 3 * minute, 'worker-c', minute, 1))).toMatchObject({ videoId: video.videoId, attemptCount: 1 });
  });

  it('the holder renews its live claim; another worker, an expired claim, an unclaimed video and an absent one are refused', async () => {
    const era = newEra();
    const video = await createAt(era);
    const held = (await store().claimNext(grantAt(era + second, 'worker-a', minute)))!;
    const renewedAt = era + 30 * second;
    const renewed = await store().renewClaim(video, { workerId: 'worker-a', now: new Date(renewedAt), expireTime: new Date(renewedAt + 5 * minute) });
    expect(renewed).toEqual({
      ...held,
      claim: { workerId: 'worker-a', expireTime: new Date(renewedAt + 5 * minute) },
      version: held.version + 1,
      updateTime: new Date(renewedAt),
    });
    // Renewed: no longer claimable when the first lease would have run out.
    expect(await store().claimNext(grantAt(era + 2 * minute, 'worker-b'))).toBeUndefined();

    const renewal = (workerId: string, at: number) => ({ workerId, now: new Date(at), expireTime: new Date(at + minute) });
    await expect(store().renewClaim(video, renewal('worker-b', renewedAt + second))).rejects.toThrow(FailedPrecondition);
    await expect(store().renewClaim(video, renewal('worker-b', renewedAt + second))).rejects.toThrow(/worker-b/);
    await expect(store().renewClaim(video, renewal('worker-a', renewedAt + 5 * minute))).rejects.toThrow(FailedPrecondition);
    const plain = await setStatus(await createAt(era), 'TRANSCODING', era + second);
    await expect(store().renewClaim(plain, renewal('worker-a', era + 2 * second))).rejects.toThrow(FailedPrecondition);
    await expect(store().renewClaim({ ownerId: video.ownerId, videoId: sampleVideo().videoId }, renewal('worker-a', era))).rejects.toBeInstanceOf(NotFound);
    expect(await store().get(video)).toEqual(renewed);
  });

  it('finishing ends the claim and leaves the queue; a give-back waits again from the give-back', async () => {
    const era = newEra();
    const finished = await createAt(era);
    const givenBack = await createAt(era + second);
    const waiting = await createAt(era + 2 * minute);
    const claimedFinished = (await store().claimNext(grantAt(era + 3 * minute)))!;
    const claimedGivenBack = (await store().claimNext(grantAt(era + 3 * minute)))!;
    expect([claimedFinished.videoId, claimedGivenBack.videoId]).toEqual([finished.videoId, givenBack.videoId]);
    const done = await setStatus(claimedFinished, 'TRANSCODED', era + 4 * minute);
    expect(done).toMatchObject({ status: 'TRANSCODED', claim: undefined, attemptCount: 1 });
    const back = await setStatus(claimedGivenBack, 'UPLOADED', era + 4 * minute);
    expect(back).toMatchObject({ status: 'UPLOADED', claim: undefined, attemptCount: 1 });
    // Long after every lease: the finished video never comes back; the given-back one
    // waits from its give-back, after the video that waited since 2 minutes in.
    expect((await drain(store(), era + 60 * minute)).map((video) => video.videoId)).toEqual([waiting.videoId, givenBack.videoId]);
  });

  it('a deleted video is never handed out', async () => {
    const era = newEra();
    const video = await createAt(era);
    await store().delete(video, {});
    expect(await store().claimNext(grantAt(era + minute))).toBeUndefined();
  });

  it('32 concurrent claimers over 500 claimable videos: each video is claimed exactly once', async () => {
    const era = newEra();
    const total = 500;
    const created: Video[] = [];
    for (let start = 0; start < total; start += 50) {
      created.push(...(await Promise.all(Array.from({ length: Math.min(50, total - start) }, (_, i) => createAt(era + (start + i) * 10)))));
    }
    const now = era + minute;
    // Every grant, as the claimer saw it: who got which video at which version.
    const history: Array<{ workerId: string; videoId: string; version: number; holder: string | undefined }> = [];
    await Promise.all(
      Array.from({ length: 32 }, async (_, claimer) => {
        const workerId = `claimer-${claimer}`;
        for (;;) {
          const video = await store().claimNext(grantAt(now, workerId, 10 * minute));
          if (video === undefined) return;
          history.push({ workerId, videoId: video.videoId, version: video.version, holder: video.claim?.workerId });
        }
      }),
    );
    const claimedIds = history.map((entry) => entry.videoId);
    expect(new Set(claimedIds).size).toBe(claimedIds.length);
    expect(claimedIds.toSorted()).toEqual(created.map((video) => video.videoId).toSorted());
    for (const entry of history) expect(entry.holder).toBe(entry.workerId);
    // Each store agrees with the history: the holder it records is the one that was told.
    const holders = new Map(history.map((entry) => [entry.videoId, entry]));
    for (const video of created) {
      const stored = (await store().get(video))!;
      const entry = holders.get(video.videoId)!;
      expect(stored).toMatchObject({ status: 'TRANSCODING', attemptCount: 1, version: entry.version, claim: { workerId: entry.workerId } });
    }
  });
}
