// Each store operation costs the minimum number of DynamoDB requests on its success
// path (issue 5): counted with SDK middleware on the store's own client.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { allowedFrom } from '../../src/domain/lifecycle.ts';
import type { Video } from '../../src/domain/video.ts';
import { countRequests } from '../../src/adapters/dynamo/request-counter.ts';
import { startDynalite, type RunningDynalite } from '../support/dynalite.ts';
import { openStore, video } from './dynamo-fixtures.ts';

let dynamo: RunningDynalite;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});

it('get, create, update, delete, getMany and an unfiltered list page each cost one request', async () => {
  const { store, client } = await openStore(dynamo.endpoint, 'owner-time');
  const base = Date.UTC(2024, 0, 1);
  const videos: Video[] = [];
  for (let i = 0; i < 30; i++) videos.push(await store.create(video('gus', {}, new Date(base + i))));
  const counter = countRequests(client);
  const cost = async (work: () => Promise<unknown>) => {
    counter.reset();
    await work();
    return Object.fromEntries(counter.counts);
  };
  const first = videos[0]!;
  expect(await cost(() => store.create(video('gus')))).toEqual({ PutItem: 1 });
  expect(await cost(() => store.get(first))).toEqual({ GetItem: 1 });
  expect(
    await cost(() =>
      store.update(first, { fields: { status: 'TRANSCODING', title: 'x' }, updateTime: new Date() }, { version: 1, statusIn: allowedFrom('TRANSCODING') }),
    ),
  ).toEqual({ UpdateItem: 1 });
  expect(await cost(() => store.getMany('gus', videos.slice(0, 25).map((v) => v.videoId)))).toEqual({ BatchGetItem: 1 });
  let page = await store.list({ ownerId: 'gus', limit: 10 });
  expect(await cost(() => store.list({ ownerId: 'gus', limit: 10 }))).toEqual({ Query: 1 });
  // A deep page costs the same as the first (keyset on createdAt, no offset).
  page = await store.list({ ownerId: 'gus', limit: 10, after: page.next });
  expect(await cost(() => store.list({ ownerId: 'gus', limit: 10, after: page.next }))).toEqual({ Query: 1 });
  expect(await cost(() => store.delete(videos[1]!, { version: 1 }))).toEqual({ DeleteItem: 1 });
});

it('a failed condition costs the write plus at most one read to explain it', async () => {
  const { store, client } = await openStore(dynamo.endpoint, 'owner-time');
  const v = await store.create(video('hal'));
  const counter = countRequests(client);
  await expect(store.update(v, { fields: { title: 'x' }, updateTime: new Date() }, { version: 9 })).rejects.toThrow();
  expect(Object.fromEntries(counter.counts)).toEqual({ UpdateItem: 1, GetItem: 1 });
});

it('a deep unfiltered page costs one Query when videos are seconds apart too', async () => {
  const { store, client } = await openStore(dynamo.endpoint, 'owner-time');
  const base = Date.UTC(2024, 0, 1);
  for (let i = 0; i < 30; i++) await store.create(video('ida', {}, new Date(base + i * 1_500)));
  const counter = countRequests(client);
  let page = await store.list({ ownerId: 'ida', limit: 7 });
  for (let depth = 1; depth < 4; depth++) {
    counter.reset();
    page = await store.list({ ownerId: 'ida', limit: 7, after: page.next });
    expect(Object.fromEntries(counter.counts)).toEqual({ Query: 1 });
    expect(page.videos.length).toBe(7);
  }
});
