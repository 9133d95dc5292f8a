// Contract: conditional update and delete (SPEC §2, §3), including the refusal order
// NotFound > StaleEtag > IllegalTransition and the worker-claim race.
import { expect, it } from 'vitest';
import { FailedPrecondition, IllegalTransition, NotFound, StaleEtag } from '../../../src/domain/errors.ts';
import { allowedFrom } from '../../../src/domain/lifecycle.ts';
import type { Precondition, VideoChange, VideoStore } from '../../../src/domain/ports.ts';
import { newVideoId, sampleVideo, settableFields, uniqueOwner, videoAtLimits } from '../../support/videos.ts';
import { refused } from './refused.ts';

const later = (time: Date, ms = 1_234): Date => new Date(time.getTime() + ms);

/** A status change with the precondition a use case would send: this version, a lifecycle-allowed "from". */
function claim(version: number): { change: VideoChange; expect: Precondition } {
  return {
    change: { fields: { status: 'TRANSCODING' }, updateTime: new Date() },
    expect: { version, statusIn: allowedFrom('TRANSCODING') },
  };
}

/** update / delete behaviours. */
export function conditionalWriteContract(store: () => VideoStore): void {
  it('update changes only the given fields, bumps the version and sets update_time', async () => {
    const video = await store().create(sampleVideo());
    const updateTime = later(video.updateTime);
    const updated = await store().update(video, { fields: { title: 'Renamed', width: 640 }, updateTime }, {});
    expect(updated).toEqual({ ...video, title: 'Renamed', width: 640, version: video.version + 1, updateTime });
    expect(await store().get(video)).toEqual(updated);
  });

  it('update can set every mutable field at once, and an empty labels map removes all labels', async () => {
    const video = await store().create(sampleVideo());
    const fields = settableFields(videoAtLimits());
    const updateTime = later(video.updateTime);
    const updated = await store().update(video, { fields, updateTime }, { version: 1 });
    expect(updated).toEqual({ ...video, ...fields, version: 2, updateTime });
    const cleared = await store().update(video, { fields: { labels: {}, thumbKey: '' }, updateTime }, {});
    expect(cleared).toEqual({ ...updated, labels: {}, thumbKey: '', version: 3 });
    expect(await store().get(video)).toEqual(cleared);
  });

  it('failure_reason is set by an update and cleared by an empty one', async () => {
    const video = await store().create(sampleVideo());
    expect(video.failureReason).toBe('');
    const updateTime = later(video.updateTime);
    const reason = 'decoder exited with 137 (out of memory)';
    const failed = await store().update(video, { fields: { status: 'FAILED', failureReason: reason }, updateTime }, { statusIn: allowedFrom('FAILED') });
    expect(failed).toEqual({ ...video, status: 'FAILED', failureReason: reason, version: 2, updateTime });
    expect(await store().get(video)).toEqual(failed);
    const cleared = await store().update(video, { fields: { failureReason: '' }, updateTime }, {});
    expect(cleared).toEqual({ ...failed, failureReason: '', version: 3 });
    expect(await store().get(video)).toEqual(cleared);
  });

  it('an update with the current version and an allowed status goes through', async () => {
    const video = await store().create(sampleVideo());
    const { change, expect: precondition } = claim(video.version);
    const updated = await store().update(video, change, precondition);
    expect(updated.status).toBe('TRANSCODING');
    expect(updated.version).toBe(video.version + 1);
  });

  it('after an update the version it was based on is stale', async () => {
    const video = await store().create(sampleVideo());
    await store().update(video, { fields: { title: 'one' }, updateTime: new Date() }, { version: 1 });
    await refused(store().update(video, { fields: { title: 'two' }, updateTime: new Date() }, { version: 1 }), StaleEtag);
    expect((await store().get(video))?.title).toBe('one');
  });

  it('an update of an absent video is refused with NotFound and creates nothing', async () => {
    const key = { ownerId: uniqueOwner(), videoId: newVideoId() };
    await refused(store().update(key, { fields: { title: 'ghost' }, updateTime: new Date() }, {}), NotFound);
    expect(await store().get(key)).toBeUndefined();
  });

  it('a stale version is refused with StaleEtag and nothing changes', async () => {
    const video = await store().create(sampleVideo());
    await refused(store().update(video, { fields: { title: 'nope' }, updateTime: new Date() }, { version: 2 }), StaleEtag);
    expect(await store().get(video)).toEqual(video);
  });

  it('a status outside statusIn is refused with IllegalTransition naming both states, and nothing changes', async () => {
    const video = await store().create(sampleVideo({ status: 'COMPLETED' }));
    const change: VideoChange = { fields: { status: 'UPLOADED', title: 'nope' }, updateTime: new Date() };
    const error = await refused(store().update(video, change, { statusIn: allowedFrom('UPLOADED') }), IllegalTransition);
    expect({ from: error.from, to: error.to }).toEqual({ from: 'COMPLETED', to: 'UPLOADED' });
    expect(await store().get(video)).toEqual(video);
  });

  it('refusals are explained in the order NotFound, then StaleEtag, then IllegalTransition', async () => {
    const video = await store().create(sampleVideo({ status: 'COMPLETED', version: 4 }));
    const change: VideoChange = { fields: { status: 'TRANSCODING' }, updateTime: new Date() };
    const wrongStatus = allowedFrom('TRANSCODING');
    const absent = { ownerId: video.ownerId, videoId: newVideoId() };
    await refused(store().update(absent, change, { version: 3, statusIn: wrongStatus }), NotFound);
    await refused(store().update(video, change, { version: 3, statusIn: wrongStatus }), StaleEtag);
    const error = await refused(store().update(video, change, { version: 4, statusIn: wrongStatus }), IllegalTransition);
    expect({ from: error.from, to: error.to }).toEqual({ from: 'COMPLETED', to: 'TRANSCODING' });
    expect(await store().get(video)).toEqual(video);
  });

  it('a video at version 0 (written by the older application) accepts an update conditional on version 0', async () => {
    const video = await store().create(sampleVideo({ version: 0 }));
    const updated = await store().update(video, { fields: { title: 'adopted' }, updateTime: new Date() }, { version: 0 });
    expect(updated.version).toBe(1);
  });

  it('of two workers claiming the same version at once, exactly one wins and the other gets StaleEtag', async () => {
    const videos = await Promise.all(Array.from({ length: 5 }, () => store().create(sampleVideo())));
    let start!: () => void;
    const startSignal = new Promise<void>((resolve) => (start = resolve));
    const contenders = videos.flatMap((video) =>
      [1, 2].map(async () => {
        await startSignal;
        const { change, expect: precondition } = claim(video.version);
        return store().update(video, change, precondition);
      }),
    );
    start();
    const outcomes = await Promise.allSettled(contenders);
    for (let i = 0; i < videos.length; i++) {
      const pair = outcomes.slice(2 * i, 2 * i + 2);
      const winners = pair.filter((outcome) => outcome.status === 'fulfilled');
      const losers = pair.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(1);
      expect(losers[0]).toBeInstanceOf(StaleEtag);
      expect(await store().get(videos[i]!)).toMatchObject({ status: 'TRANSCODING', version: 2 });
    }
  });

  it('delete removes the video; deleting it again is refused with NotFound', async () => {
    const video = await store().create(sampleVideo());
    await store().delete(video, {});
    expect(await store().get(video)).toBeUndefined();
    await refused(store().delete(video, {}), NotFound);
  });

  it('delete with a stale version is refused with StaleEtag and the video stays', async () => {
    const video = await store().create(sampleVideo());
    await refused(store().delete(video, { version: 9 }), StaleEtag);
    expect(await store().get(video)).toEqual(video);
    await store().delete(video, { version: 1 });
    expect(await store().get(video)).toBeUndefined();
  });

  it('delete with a status outside statusIn is refused with FailedPrecondition and the video stays', async () => {
    const video = await store().create(sampleVideo({ status: 'TRANSCODING' }));
    await refused(store().delete(video, { statusIn: ['UPLOADED', 'FAILED'] }), FailedPrecondition);
    expect(await store().get(video)).toEqual(video);
  });

  it('delete of an absent video with a version is refused with NotFound, not StaleEtag', async () => {
    await refused(store().delete({ ownerId: uniqueOwner(), videoId: newVideoId() }, { version: 1 }), NotFound);
  });
}
