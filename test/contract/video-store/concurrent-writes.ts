// Contract: writes issued together (which a store may commit together, as SQLite's group
// commit does) are answered one by one: a refused write fails only its own call, every
// other write of the burst succeeds and is stored.
import { expect, it } from 'vitest';
import { AlreadyExists, StaleEtag } from '../../../src/domain/errors.ts';
import type { VideoStore } from '../../../src/domain/ports.ts';
import { sampleVideo, uniqueOwner } from '../../support/videos.ts';

/** Bursts of concurrent creates and updates with refusals among them. */
export function concurrentWriteContract(store: () => VideoStore): void {
  it('a burst of 32 creates with one taken key among them: only that one fails AlreadyExists, the rest are stored', async () => {
    const ownerId = uniqueOwner();
    const taken = await store().create(sampleVideo({ ownerId, title: 'original' }));
    const fresh = Array.from({ length: 31 }, (_, index) => sampleVideo({ ownerId, title: `new ${index}` }));
    const intruder = sampleVideo({ ownerId, videoId: taken.videoId, title: 'intruder' });
    const burst = [...fresh.slice(0, 16), intruder, ...fresh.slice(16)];
    const outcomes = await Promise.allSettled(burst.map((video) => store().create(video)));

    expect(outcomes.map((outcome) => outcome.status)).toEqual(burst.map((video) => (video === intruder ? 'rejected' : 'fulfilled')));
    expect((outcomes[16] as PromiseRejectedResult).reason).toBeInstanceOf(AlreadyExists);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled').map((outcome) => outcome.value)).toEqual(fresh);
    expect(await store().get(taken)).toEqual(taken);
    const stored = await store().getMany(ownerId, fresh.map((video) => video.videoId));
    expect(stored.map((video) => video.title).sort()).toEqual(fresh.map((video) => video.title).sort());
  });

  it('concurrent updates of one video with the same etag: exactly one wins, the others fail StaleEtag', async () => {
    const video = await store().create(sampleVideo());
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, index) =>
        store().update(video, { fields: { title: `take ${index}` }, updateTime: new Date() }, { version: video.version }),
      ),
    );
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(StaleEtag);
    }
    const winner = (won[0] as PromiseFulfilledResult<{ title: string; version: number }>).value;
    expect(winner.version).toBe(video.version + 1);
    expect(await store().get(video)).toEqual(winner);
  });
}
