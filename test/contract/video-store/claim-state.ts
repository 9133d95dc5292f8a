// Contract: what an update's status change does to a claim, the attempts and the failure
// reason (SPEC §9, "Ending a claim"), the same on every store, from whatever status the
// stored video is in. The claims here are written by create; ClaimVideo is not involved.
import { expect, it } from 'vitest';
import { allowedFrom } from '../../../src/domain/lifecycle.ts';
import type { VideoStore } from '../../../src/domain/ports.ts';
import type { Video, VideoStatus } from '../../../src/domain/video.ts';
import { sampleVideo } from '../../support/videos.ts';

const lease = { workerId: 'worker-1', expireTime: new Date('2026-11-29T12:05:00.000Z') };

function inStatus(status: VideoStatus, extra: Partial<Video> = {}): Video {
  return sampleVideo({ status, ...(status === 'TRANSCODING' ? { claim: lease } : {}), attemptCount: 2, ...extra });
}

/** Status-change behaviours around claims. */
export function claimStateContract(store: () => VideoStore): void {
  const setStatus = async (video: Video, status: VideoStatus, fields: { failureReason?: string } = {}) => {
    const updated = await store().update(video, { fields: { status, ...fields }, updateTime: new Date() }, { statusIn: allowedFrom(status) });
    expect(await store().get(video)).toEqual(updated);
    return updated;
  };

  it('leaving TRANSCODING ends the claim and keeps the attempts; staying keeps both', async () => {
    for (const to of ['TRANSCODED', 'FAILED'] as const) {
      const video = await store().create(inStatus('TRANSCODING'));
      expect(await setStatus(video, to)).toMatchObject({ status: to, claim: undefined, attemptCount: 2 });
    }
    const staying = await store().create(inStatus('TRANSCODING'));
    expect(await setStatus(staying, 'TRANSCODING')).toMatchObject({ claim: lease, attemptCount: 2 });
    const retitled = await store().update(staying, { fields: { title: 'Renamed' }, updateTime: new Date() }, {});
    expect(retitled).toMatchObject({ claim: lease, attemptCount: 2 });
  });

  it('a give-back (TRANSCODING → UPLOADED) ends the claim but keeps the attempts and the failure reason', async () => {
    const video = await store().create(inStatus('TRANSCODING', { failureReason: 'first worker saw a corrupt header' }));
    expect(await setStatus(video, 'UPLOADED')).toMatchObject({
      status: 'UPLOADED',
      claim: undefined,
      attemptCount: 2,
      failureReason: 'first worker saw a corrupt header',
    });
  });

  it('a retry (FAILED → UPLOADED) resets the attempts and clears the failure reason, unless it sets one', async () => {
    const failed = await store().create(inStatus('FAILED', { failureReason: 'claimed 2 times without finishing' }));
    expect(await setStatus(failed, 'UPLOADED')).toMatchObject({ status: 'UPLOADED', attemptCount: 0, failureReason: '' });
    const annotated = await store().create(inStatus('FAILED', { failureReason: 'old' }));
    expect(await setStatus(annotated, 'UPLOADED', { failureReason: 'retried by ops' })).toMatchObject({
      attemptCount: 0,
      failureReason: 'retried by ops',
    });
  });

  it('an UPLOADED video set UPLOADED again keeps its attempts; an update without a status touches none of it', async () => {
    const uploaded = await store().create(inStatus('UPLOADED', { failureReason: 'note' }));
    expect(await setStatus(uploaded, 'UPLOADED')).toMatchObject({ attemptCount: 2, failureReason: 'note' });
    const failed = await store().create(inStatus('FAILED', { failureReason: 'kept' }));
    const retitled = await store().update(failed, { fields: { title: 'T' }, updateTime: new Date() }, {});
    expect(retitled).toMatchObject({ status: 'FAILED', attemptCount: 2, failureReason: 'kept' });
  });
}
