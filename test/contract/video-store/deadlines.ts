// Contract: StoreCallOptions (SPEC §6). A call whose deadline has already passed, or
// whose signal is aborted, is refused StoreUnavailable, and a write so refused changes
// nothing; a call with time left behaves as without options.
import { describe, expect, it } from 'vitest';
import { StoreUnavailable } from '../../../src/domain/errors.ts';
import type { VideoStore } from '../../../src/domain/ports.ts';
import { sampleVideo } from '../../support/videos.ts';
import { refused } from './refused.ts';

/** The deadline and cancellation behaviours every store must show. */
export function storeDeadlineContract(name: string, store: () => VideoStore): void {
  describe(`VideoStore deadlines: ${name}`, () => {
    const past = () => ({ deadline: Date.now() - 1 });
    const ample = () => ({ deadline: Date.now() + 10_000 });

    it('every call with time left before its deadline answers as it would without one', async () => {
      const video = await store().create(sampleVideo(), ample());
      expect(await store().get(video, ample())).toEqual(video);
      expect(await store().getMany(video.ownerId, [video.videoId], ample())).toEqual([video]);
      expect((await store().list({ ownerId: video.ownerId, limit: 10 }, ample())).videos).toEqual([video]);
      const changed = await store().update(video, { fields: { title: 'x' }, updateTime: new Date() }, {}, ample());
      expect(changed.title).toBe('x');
      await store().delete(video, {}, ample());
      expect(await store().get(video)).toBeUndefined();
    });

    it('reads whose deadline has passed are refused with StoreUnavailable', async () => {
      const video = await store().create(sampleVideo());
      await refused(store().get(video, past()), StoreUnavailable);
      await refused(store().getMany(video.ownerId, [video.videoId], past()), StoreUnavailable);
      await refused(store().list({ ownerId: video.ownerId, limit: 10 }, past()), StoreUnavailable);
    });

    it('writes whose deadline has passed are refused with StoreUnavailable and change nothing', async () => {
      const video = sampleVideo();
      await refused(store().create(video, past()), StoreUnavailable);
      expect(await store().get(video)).toBeUndefined();
      const stored = await store().create(video);
      await refused(store().update(stored, { fields: { title: 'late' }, updateTime: new Date() }, {}, past()), StoreUnavailable);
      await refused(store().delete(stored, {}, past()), StoreUnavailable);
      expect(await store().get(stored)).toEqual(stored);
    });

    it('a call whose signal is already aborted is refused with StoreUnavailable and writes nothing', async () => {
      const video = sampleVideo();
      const cancelled = { signal: AbortSignal.abort() };
      await refused(store().create(video, cancelled), StoreUnavailable);
      await refused(store().get(video, cancelled), StoreUnavailable);
      expect(await store().get(video)).toBeUndefined();
    });
  });
}
