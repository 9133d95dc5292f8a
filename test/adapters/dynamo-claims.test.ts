// Work claiming on DynamoDB (SPEC §9) through the work index, on dynalite: the order
// within a shard and across shards, expiry and reclaim, the attempts limit, renewals,
// stale and stray index entries, two replicas racing, and what a claim costs in requests.
// Time passes by moving the grants' `now`, never by sleeping.
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exhaustedReason } from '../../src/domain/claim.ts';
import { NoLiveClaim, NotFound, StaleEtag } from '../../src/domain/errors.ts';
import { allowedFrom } from '../../src/domain/lifecycle.ts';
import type { ClaimGrant } from '../../src/domain/ports.ts';
import type { Video } from '../../src/domain/video.ts';
import { shardReadLimit } from '../../src/adapters/dynamo/claim-next.ts';
import { countRequests } from '../../src/adapters/dynamo/request-counter.ts';
import { DynamoVideoStore } from '../../src/adapters/dynamo/store.ts';
import { workShardCount, workShardOf } from '../../src/adapters/dynamo/work-index.ts';
import { startDynalite, testClient, type RunningDynalite } from '../support/dynalite.ts';
import { openStore, video } from './dynamo-fixtures.ts';

let dynamo: RunningDynalite;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});

const minute = 60_000;
const base = Date.UTC(2024, 0, 1);

function grantAt(now: number, workerId = 'worker-a', leaseMs = minute, maxAttempts = 3): ClaimGrant {
  return { workerId, now: new Date(now), expireTime: new Date(now + leaseMs), maxAttempts };
}

async function drain(store: DynamoVideoStore, now: number, workerId = 'drainer'): Promise<Video[]> {
  const claimed: Video[] = [];
  for (let video = await store.claimNext(grantAt(now, workerId)); video !== undefined; video = await store.claimNext(grantAt(now, workerId))) {
    claimed.push(video);
  }
  return claimed;
}

/** Creates `count` videos of `owner`, the i-th waiting from base + i ms, in a shuffled order of writes. */
async function createWaiting(store: DynamoVideoStore, owner: string, count: number, at = (i: number) => base + i): Promise<Video[]> {
  const order = Array.from({ length: count }, (_, i) => i).sort(() => Math.random() - 0.5);
  const created: Video[] = new Array<Video>(count);
  for (let start = 0; start < count; start += 50) {
    await Promise.all(order.slice(start, start + 50).map(async (i) => (created[i] = await store.create(video(owner, {}, new Date(at(i)))))));
  }
  return created;
}

async function rawItem(client: DynamoDBClient, table: string, key: { ownerId: string; videoId: string }) {
  return (await client.send(new GetItemCommand({ TableName: table, Key: { ownerId: { S: key.ownerId }, videoId: { S: key.videoId } }, ConsistentRead: true }))).Item;
}

describe('order', () => {
  it('hands out 300 videos over every shard oldest-waiting first, exactly, then nothing', async () => {
    const { store } = await openStore(dynamo.endpoint, 'owner-time-and-status');
    const created = await createWaiting(store, 'ordered', 300);
    expect(new Set(created.map((v) => workShardOf(v.ownerId, v.videoId))).size).toBe(workShardCount);
    const claimed = await drain(store, base + minute);
    expect(claimed.map((v) => v.videoId)).toEqual(created.map((v) => v.videoId));
    expect(claimed.every((v) => v.status === 'TRANSCODING' && v.claim?.workerId === 'drainer' && v.attemptCount === 1)).toBe(true);
  });

  it('within one shard, more entries than one read holds come out oldest first', async () => {
    const { store } = await openStore(dynamo.endpoint, 'owner-time');
    const sameShard: Video[] = [];
    for (let i = 0; sameShard.length < 3 * shardReadLimit + 2; i++) {
      const candidate = video('one-shard', {}, new Date(base + 1000 - i));
      if (workShardOf(candidate.ownerId, candidate.videoId) === 5) sameShard.push(await store.create(candidate));
    }
    const claimed = await drain(store, base + minute);
    expect(claimed.map((v) => v.videoId)).toEqual(sameShard.toReversed().map((v) => v.videoId));
  });

  it('an expired claim waits from its expiry: after videos that waited from before it, before those that came later', async () => {
    const { store } = await openStore(dynamo.endpoint, 'owner-time');
    const early = await store.create(video('expiry', {}, new Date(base)));
    const held = (await store.claimNext(grantAt(base + 1000, 'worker-a', minute)))!;
    expect(held.videoId).toBe(early.videoId);
    const before = await store.create(video('expiry', {}, new Date(base + 30_000)));
    const after = await store.create(video('expiry', {}, new Date(base + minute + 2000)));
    // Still held: only the newer video waits at 50 s.
    expect((await store.claimNext(grantAt(base + 50_000, 'worker-b', 10 * minute)))?.videoId).toBe(before.videoId);
    const order = await drain(store, base + 2 * minute);
    expect(order.map((v) => v.videoId)).toEqual([early.videoId, after.videoId]);
    expect(order[0]).toMatchObject({ attemptCount: 2, claim: { workerId: 'drainer' }, version: held.version + 1 });
    await expect(
      store.update(held, { fields: { status: 'TRANSCODED' }, updateTime: new Date() }, { version: held.version, statusIn: allowedFrom('TRANSCODED') }),
    ).rejects.toBeInstanceOf(StaleEtag);
  });
});

describe('attempts', () => {
  it('a claimable video whose attempts are spent is set FAILED with the reason, and the next one is handed out', async () => {
    const { store, client, table } = await openStore(dynamo.endpoint, 'owner-time');
    const worn = await store.create(video('attempts', {}, new Date(base)));
    const next = await store.create(video('attempts', {}, new Date(base + 5 * minute)));
    expect(await store.claimNext(grantAt(base + 1000, 'w1', minute, 1))).toMatchObject({ videoId: worn.videoId, attemptCount: 1 });
    const counter = countRequests(client);
    const now = base + 10 * minute;
    expect(await store.claimNext(grantAt(now, 'w2', minute, 1))).toMatchObject({ videoId: next.videoId, attemptCount: 1 });
    // One write fails the worn video, one claims the next.
    expect(counter.counts.get('UpdateItem')).toBe(2);
    expect(await store.get(worn)).toMatchObject({
      status: 'FAILED',
      claim: undefined,
      attemptCount: 1,
      failureReason: exhaustedReason(1),
      updateTime: new Date(now),
    });
    const raw = await rawItem(client, table, worn);
    expect([raw?.readyAt, raw?.workShard, raw?.claimWorker, raw?.ownerStatus]).toEqual([undefined, undefined, undefined, { S: 'attempts#failed' }]);
  });
});

describe('renew', () => {
  it('the holder renews with one UpdateItem and the video leaves the queue until the new expiry; others are refused', async () => {
    const { store, client, table } = await openStore(dynamo.endpoint, 'owner-time');
    const v = await store.create(video('renew', {}, new Date(base)));
    const held = (await store.claimNext(grantAt(base + 1000, 'worker-a', minute)))!;
    const counter = countRequests(client);
    const at = base + 30_000;
    const renewed = await store.renewClaim(v, { workerId: 'worker-a', now: new Date(at), expireTime: new Date(at + 5 * minute) });
    expect(Object.fromEntries(counter.counts)).toEqual({ UpdateItem: 1 });
    expect(renewed).toEqual({ ...held, claim: { workerId: 'worker-a', expireTime: new Date(at + 5 * minute) }, version: held.version + 1, updateTime: new Date(at) });
    expect((await rawItem(client, table, v))?.readyAt).toEqual({ S: new Date(at + 5 * minute).toISOString() });
    expect(await store.claimNext(grantAt(base + 3 * minute, 'worker-b'))).toBeUndefined();

    const renewal = (workerId: string, now: number) => ({ workerId, now: new Date(now), expireTime: new Date(now + minute) });
    await expect(store.renewClaim(v, renewal('worker-b', at + 1000))).rejects.toThrow(new NoLiveClaim('worker-b'));
    await expect(store.renewClaim(v, renewal('worker-a', at + 5 * minute))).rejects.toBeInstanceOf(NoLiveClaim);
    await expect(store.renewClaim({ ownerId: 'renew', videoId: video('renew').videoId }, renewal('worker-a', at))).rejects.toBeInstanceOf(NotFound);
    expect(await store.get(v)).toEqual(renewed);
    expect((await store.claimNext(grantAt(at + 5 * minute, 'worker-b')))?.claim?.workerId).toBe('worker-b');
  });
});

describe('status changes and the queue', () => {
  it('a give-back and a retry wait from their update; finishing, failing and a plain TRANSCODING leave the queue', async () => {
    const { store, client, table } = await openStore(dynamo.endpoint, 'owner-time');
    await createWaiting(store, 'changes', 5);
    const claimed = await drain(store, base + 1000);
    expect(claimed).toHaveLength(5);
    const set = (v: Video, status: Video['status'], at: number) =>
      store.update(v, { fields: { status }, updateTime: new Date(at) }, { statusIn: allowedFrom(status) });
    const [giveBack, finish, fail, retry, plain] = claimed as [Video, Video, Video, Video, Video];
    await set(giveBack, 'UPLOADED', base + 3 * minute);
    await set(finish, 'TRANSCODED', base + 2000);
    await set(fail, 'FAILED', base + 2000);
    await set(await set(retry, 'FAILED', base + 2000), 'UPLOADED', base + 2 * minute);
    // Set UPLOADED again and edited while waiting: keeps its place.
    await store.update(giveBack, { fields: { status: 'UPLOADED', title: 'edited' }, updateTime: new Date(base + 4 * minute) }, { statusIn: allowedFrom('UPLOADED') });
    // A plain TRANSCODING (SPEC §2's etag route) from a waiting video: no claim, out of the queue.
    await set(await set(plain, 'UPLOADED', base + 2000), 'TRANSCODING', base + 2500);

    const raw = async (v: Video) => {
      const item = await rawItem(client, table, v);
      return [item?.status?.S, item?.readyAt?.S, item?.workShard === undefined ? undefined : Number(item.workShard.N)];
    };
    const shard = (v: Video) => workShardOf(v.ownerId, v.videoId);
    expect(await raw(giveBack)).toEqual(['uploaded', new Date(base + 3 * minute).toISOString(), shard(giveBack)]);
    expect(await raw(retry)).toEqual(['uploaded', new Date(base + 2 * minute).toISOString(), shard(retry)]);
    for (const gone of [finish, fail, plain]) expect((await raw(gone)).slice(1)).toEqual([undefined, undefined]);
    expect((await store.get(plain))?.claim).toBeUndefined();
    expect((await drain(store, base + 60 * minute)).map((v) => v.videoId)).toEqual([retry.videoId, giveBack.videoId]);
  });

  it('a status change that guesses the from-status right costs one UpdateItem: a give-back, a plain TRANSCODING', async () => {
    const { store, client } = await openStore(dynamo.endpoint, 'owner-time');
    const v = await store.create(video('guess', {}, new Date(base)));
    const held = (await store.claimNext(grantAt(base + 1000)))!;
    const counter = countRequests(client);
    await store.update(held, { fields: { status: 'UPLOADED' }, updateTime: new Date(base + 2000) }, { version: held.version, statusIn: allowedFrom('UPLOADED') });
    expect(Object.fromEntries(counter.counts)).toEqual({ UpdateItem: 1 });
    counter.reset();
    await store.update(v, { fields: { status: 'TRANSCODING' }, updateTime: new Date(base + 3000) }, { statusIn: allowedFrom('TRANSCODING') });
    expect(Object.fromEntries(counter.counts)).toEqual({ UpdateItem: 1 });
  });
});

describe('stale and stray index entries', () => {
  it('an entry the video changed since it was read is passed over, and the video is found again', async () => {
    const { store, client, table } = await openStore(dynamo.endpoint, 'owner-time');
    const [first, second] = await createWaiting(store, 'stale', 2);
    expect((await store.claimNext(grantAt(base + 1000)))?.videoId).toBe(first!.videoId);
    // Another replica edits the second video after this one read its entry.
    const other = await DynamoVideoStore.open({ table, ownerIndex: 'OwnerIndex', client: testClient(dynamo.endpoint) });
    await other.update(second!, { fields: { title: 'edited elsewhere' }, updateTime: new Date() }, {});
    const counter = countRequests(client);
    const claimed = await store.claimNext(grantAt(base + 1000));
    expect(claimed).toMatchObject({ videoId: second!.videoId, title: 'edited elsewhere', version: second!.version + 2 });
    expect(counter.counts.get('UpdateItem')).toBe(2);
  });

  it('an entry whose status a writer unaware of the index changed is taken out of the queue, the video untouched', async () => {
    const { store, client, table } = await openStore(dynamo.endpoint, 'owner-time');
    const v = await store.create(video('stray', {}, new Date(base)));
    const item = (await rawItem(client, table, v))!;
    await client.send(new PutItemCommand({ TableName: table, Item: { ...item, status: { S: 'completed' } } }));
    expect(await store.claimNext(grantAt(base + 1000))).toBeUndefined();
    const after = await rawItem(client, table, v);
    expect([after?.readyAt, after?.workShard]).toEqual([undefined, undefined]);
    expect({ ...after, readyAt: item.readyAt, workShard: item.workShard }).toEqual({ ...item, status: { S: 'completed' } });
  });
});

describe('two replicas', () => {
  it('32 claimers on two stores over 400 videos: every video claimed exactly once, by the claimer that was told', async () => {
    const { store, table, client } = await openStore(dynamo.endpoint, 'owner-time-and-status');
    const replicaClient = testClient(dynamo.endpoint);
    const replica = await DynamoVideoStore.open({ table, ownerIndex: 'OwnerIndex', client: replicaClient });
    const created = await createWaiting(store, 'race', 400);
    const counters = [countRequests(client), countRequests(replicaClient)];
    const history: Array<{ workerId: string; videoId: string; version: number }> = [];
    let release!: () => void;
    const start = new Promise<void>((resolve) => (release = resolve));
    const claimers = Array.from({ length: 32 }, async (_, i) => {
      const onStore = i % 2 === 0 ? store : replica;
      const workerId = `claimer-${i}`;
      await start;
      for (;;) {
        const claimed = await onStore.claimNext(grantAt(base + minute, workerId, 10 * minute));
        if (claimed === undefined) return;
        expect(claimed.claim?.workerId).toBe(workerId);
        history.push({ workerId, videoId: claimed.videoId, version: claimed.version });
      }
    });
    release();
    await Promise.all(claimers);
    const sum = (operation: string) => counters.reduce((total, counter) => total + (counter.counts.get(operation) ?? 0), 0);
    console.log(`400 contended claims on 2 replicas: ${sum('UpdateItem')} UpdateItems (${sum('UpdateItem') - 400} lost races), ${sum('Query')} Queries`);
    const ids = history.map((entry) => entry.videoId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.toSorted()).toEqual(created.map((v) => v.videoId).toSorted());
    for (const entry of history) {
      expect(await store.get({ ownerId: 'race', videoId: entry.videoId })).toMatchObject({
        status: 'TRANSCODING',
        attemptCount: 1,
        version: entry.version,
        claim: { workerId: entry.workerId },
      });
    }
    await replica.close();
    replicaClient.destroy();
  });
});

describe('cost', () => {
  it('1 000 uncontended claims cost one UpdateItem each and well under two Queries each on average', async () => {
    const { store, client } = await openStore(dynamo.endpoint, 'owner-time-and-status');
    await createWaiting(store, 'cost', 1000);
    const counter = countRequests(client);
    for (let i = 0; i < 1000; i++) expect(await store.claimNext(grantAt(base + minute, `worker-${i % 7}`))).toBeDefined();
    const queries = counter.counts.get('Query') ?? 0;
    const updates = counter.counts.get('UpdateItem') ?? 0;
    console.log(`1 000 claims: ${queries} Queries (${(queries / 1000).toFixed(3)} per claim), ${updates} UpdateItems, ${counter.total()} requests in all`);
    expect(updates).toBe(1000);
    expect(queries / 1000).toBeLessThanOrEqual(2);
    expect(counter.total()).toBe(queries + updates);
    counter.reset();
    // Nothing left: the answer reads each shard once.
    expect(await store.claimNext(grantAt(base + minute))).toBeUndefined();
    expect(Object.fromEntries(counter.counts)).toEqual({ Query: workShardCount });
  });
});
