// Contract: create, get, getMany, ping.
import { expect, it } from 'vitest';
import { AlreadyExists } from '../../../src/domain/errors.ts';
import type { VideoStore } from '../../../src/domain/ports.ts';
import { newVideoId, sampleVideo, uniqueOwner } from '../../support/videos.ts';
import { refused } from './refused.ts';

const byId = (a: { videoId: string }, b: { videoId: string }): number => (a.videoId < b.videoId ? -1 : 1);

/** create / get / getMany / ping behaviours. */
export function createAndReadContract(store: () => VideoStore): void {
  it('create returns the video as stored and get reads the same back', async () => {
    const video = sampleVideo();
    expect(await store().create(video)).toEqual(video);
    expect(await store().get(video)).toEqual(video);
  });

  it('get of an absent video is undefined, also for another owner of an existing id', async () => {
    const video = await store().create(sampleVideo());
    expect(await store().get({ ownerId: video.ownerId, videoId: newVideoId() })).toBeUndefined();
    expect(await store().get({ ownerId: uniqueOwner(), videoId: video.videoId })).toBeUndefined();
  });

  it('create on a taken key is refused with AlreadyExists and the original is unchanged', async () => {
    const original = await store().create(sampleVideo({ title: 'first' }));
    const intruder = sampleVideo({ ownerId: original.ownerId, videoId: original.videoId, title: 'second', version: 7 });
    await refused(store().create(intruder), AlreadyExists);
    expect(await store().get(original)).toEqual(original);
  });

  it('the same video id under two owners is two separate videos', async () => {
    const mine = await store().create(sampleVideo({ title: 'mine' }));
    const theirs = await store().create(sampleVideo({ videoId: mine.videoId, title: 'theirs' }));
    expect(await store().get(mine)).toEqual(mine);
    expect(await store().get(theirs)).toEqual(theirs);
  });

  it("getMany returns exactly the owner's existing videos among the ids", async () => {
    const ownerId = uniqueOwner();
    const mine = await Promise.all([1, 2, 3].map((n) => store().create(sampleVideo({ ownerId, title: `v${n}` }))));
    // Other owners' videos, one sharing an id with mine and one with an id asked for, must not leak in.
    await store().create(sampleVideo({ videoId: mine[0]!.videoId, title: 'same id, other owner' }));
    const foreign = await store().create(sampleVideo({ title: 'foreign' }));
    const absent = Array.from({ length: 96 }, () => newVideoId());
    const [a, b, c] = mine.map((video) => video.videoId);
    const ids = [...absent.slice(0, 50), a!, foreign.videoId, b!, ...absent.slice(50), c!];
    expect(ids).toHaveLength(100);
    const found = await store().getMany(ownerId, ids);
    expect([...found].sort(byId)).toEqual([...mine].sort(byId));
  });

  it('getMany of no ids, or of only absent ids, is empty', async () => {
    const ownerId = uniqueOwner();
    expect(await store().getMany(ownerId, [])).toEqual([]);
    expect(await store().getMany(ownerId, [newVideoId(), newVideoId()])).toEqual([]);
  });

  it('ping resolves while the store is reachable', async () => {
    await expect(store().ping()).resolves.toBeUndefined();
  });
}
