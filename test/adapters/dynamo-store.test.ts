// Behaviour of DynamoVideoStore on dynalite, for both owner-index shapes. (The shared
// contract suite runs in test/contract/dynamo.test.ts; these cover what is
// DynamoDB-specific: tie ordering across pages, status spellings, conditional writes.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlreadyExists, IllegalTransition, NotFound, StaleEtag } from '../../src/domain/errors.ts';
import { allowedFrom } from '../../src/domain/lifecycle.ts';
import type { ListQuery, VideoStore } from '../../src/domain/ports.ts';
import type { Video } from '../../src/domain/video.ts';
import { startDynalite, type IndexShape, type RunningDynalite } from '../support/dynalite.ts';
import { openStore, video } from './dynamo-fixtures.ts';

let dynamo: RunningDynalite;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});

async function listAll(store: VideoStore, query: Omit<ListQuery, 'after'>): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let after: ListQuery['after'];
  let pages = 0;
  for (;;) {
    const page = await store.list({ ...query, after });
    pages += 1;
    expect(page.videos.length === query.limit || page.next === undefined).toBe(true);
    ids.push(...page.videos.map((v) => v.videoId));
    if (!page.next) return { ids, pages };
    after = page.next;
  }
}

function newestFirstIds(videos: Video[]): string[] {
  return [...videos]
    .sort((a, b) => b.createTime.getTime() - a.createTime.getTime() || (a.videoId < b.videoId ? 1 : -1))
    .map((v) => v.videoId);
}

describe.each<IndexShape>(['owner-time', 'owner-only'])('DynamoVideoStore with a %s index', (shape) => {
  it('reads back a created video with every field, and refuses a second create of the same key', async () => {
    const { store } = await openStore(dynamo.endpoint, shape);
    const original = video('alice', {
      title: 'T',
      status: 'TRANSCODED',
      thumbKey: 'thumbs/1.jpg',
      durationSeconds: 12.345,
      width: 1920,
      height: 1080,
      sizeBytes: 2n ** 64n - 1n,
      labels: { a: '', b: 'x' },
    });
    expect(await store.create(original)).toEqual(original);
    expect(await store.get(original)).toEqual(original);
    const again = { ...original, title: 'other' };
    await expect(store.create(again)).rejects.toBeInstanceOf(AlreadyExists);
    expect((await store.get(original))?.title).toBe('T');
  });

  it('updates masked fields, bumps the version and explains failed conditions in the port order', async () => {
    const { store } = await openStore(dynamo.endpoint, shape);
    const v = await store.create(video('bob', { thumbKey: 'k', width: 10 }));
    const updated = await store.update(
      v,
      { fields: { title: 'new', thumbKey: '', width: 0, status: 'TRANSCODING' }, updateTime: new Date(v.updateTime.getTime() + 5) },
      { version: 1, statusIn: allowedFrom('TRANSCODING') },
    );
    expect(updated).toMatchObject({ title: 'new', thumbKey: '', width: 0, status: 'TRANSCODING', version: 2 });
    expect(updated.updateTime.getTime()).toBe(v.updateTime.getTime() + 5);
    expect(await store.get(v)).toEqual(updated);

    const change = { fields: { status: 'COMPLETED' as const }, updateTime: new Date() };
    await expect(store.update(v, change, { version: 1 })).rejects.toBeInstanceOf(StaleEtag);
    const illegal = store.update(v, change, { version: 2, statusIn: allowedFrom('COMPLETED') });
    await expect(illegal).rejects.toBeInstanceOf(IllegalTransition);
    await expect(illegal).rejects.toThrow('status: cannot change from TRANSCODING to COMPLETED');
    await expect(store.update({ ownerId: 'bob', videoId: crypto.randomUUID() }, change, {})).rejects.toBeInstanceOf(NotFound);
    expect((await store.get(v))?.version).toBe(2);
  });

  it('deletes only when the version matches, and says NotFound for an absent video', async () => {
    const { store } = await openStore(dynamo.endpoint, shape);
    const v = await store.create(video('carol'));
    await expect(store.delete(v, { version: 7 })).rejects.toBeInstanceOf(StaleEtag);
    await store.delete(v, { version: 1 });
    expect(await store.get(v)).toBeUndefined();
    await expect(store.delete(v, {})).rejects.toBeInstanceOf(NotFound);
  });

  it('returns the found videos of a batch and leaves absent ids out', async () => {
    const { store } = await openStore(dynamo.endpoint, shape);
    const a = await store.create(video('dave'));
    const b = await store.create(video('dave'));
    const found = await store.getMany('dave', [a.videoId, crypto.randomUUID(), b.videoId]);
    expect(found.map((v) => v.videoId).sort()).toEqual([a.videoId, b.videoId].sort());
  });

  it('lists newest first with equal create times ordered by video id descending, across every page size', async () => {
    const { store } = await openStore(dynamo.endpoint, shape);
    const base = Date.UTC(2024, 0, 1);
    const videos: Video[] = [];
    // Groups of 1, 3 and 7 videos sharing a millisecond, so page boundaries fall inside ties.
    for (const [offset, size] of [[0, 1], [1, 3], [2, 7], [3, 1], [4, 3]] as const) {
      for (let i = 0; i < size; i++) videos.push(await store.create(video('erin', {}, new Date(base + offset))));
    }
    await store.create(video('someone-else'));
    const expected = newestFirstIds(videos);
    for (const limit of [1, 2, 3, 4, 5, 7, 15, 16, 100]) {
      const { ids, pages } = await listAll(store, { ownerId: 'erin', limit });
      expect(ids, `limit ${limit}`).toEqual(expected);
      expect(pages).toBe(Math.max(1, Math.ceil(expected.length / limit)));
    }
  });

  it('filters by status across pages and sets next exactly when more match', async () => {
    const { store } = await openStore(dynamo.endpoint, shape);
    const base = Date.UTC(2024, 5, 1);
    const videos: Video[] = [];
    for (let i = 0; i < 20; i++) {
      videos.push(await store.create(video('fay', { status: i % 4 === 0 ? 'FAILED' : 'UPLOADED' }, new Date(base + Math.floor(i / 3)))));
    }
    const failed = newestFirstIds(videos.filter((v) => v.status === 'FAILED'));
    for (const limit of [1, 2, 5, 6]) {
      expect((await listAll(store, { ownerId: 'fay', status: 'FAILED', limit })).ids).toEqual(failed);
    }
    expect((await listAll(store, { ownerId: 'fay', status: 'COMPLETED', limit: 3 })).ids).toEqual([]);
  });
});
