// StoreCallOptions on DynamoDB: with dynalite made slow by a loopback proxy (every byte
// held back 1.5 s, below the SDK's 3 s request timeout, so nothing else would cut the
// call short), a call with a deadline ends at its deadline as StoreUnavailable, every
// operation alike; an aborted signal ends it the same way; and once the store is fast
// again the same store object answers.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { StoreUnavailable } from '../../src/domain/errors.ts';
import { allowedFrom } from '../../src/domain/lifecycle.ts';
import type { StoreCallOptions } from '../../src/domain/ports.ts';
import type { Video } from '../../src/domain/video.ts';
import { DynamoVideoStore } from '../../src/adapters/dynamo/store.ts';
import { countRequests } from '../../src/adapters/dynamo/request-counter.ts';
import { createVideosTable, startDynalite, testClient, type RunningDynalite } from '../support/dynalite.ts';
import { startSlowProxy, type SlowProxy } from '../support/slow-proxy.ts';
import { uniqueNames, video } from './dynamo-fixtures.ts';

const delayMs = 1_500;
const budgetMs = 300;
// The 2-core machine is shared: the deadline must hold within this margin, well below the delay.
const marginMs = 600;

let dynamo: RunningDynalite;
let proxy: SlowProxy;
beforeAll(async () => {
  dynamo = await startDynalite();
  proxy = await startSlowProxy(dynamo.port);
});
afterAll(async () => {
  await proxy.close();
  await dynamo.stop();
});

async function slowStore(): Promise<{ store: DynamoVideoStore; existing: Video; client: DynamoDBClient; close(): void }> {
  const names = uniqueNames();
  const direct = testClient(dynamo.endpoint);
  await createVideosTable(direct, names, 'owner-time');
  direct.destroy();
  const client = testClient(proxy.endpoint);
  const store = await DynamoVideoStore.open({ ...names, client });
  const existing = await store.create(video('slow'));
  return { store, existing, client, close: () => client.destroy() };
}

function calls(store: DynamoVideoStore, existing: Video, options: () => StoreCallOptions): [string, () => Promise<unknown>][] {
  return [
    ['create', () => store.create(video('slow'), options())],
    ['get', () => store.get(existing, options())],
    ['getMany', () => store.getMany('slow', [existing.videoId], options())],
    ['list', () => store.list({ ownerId: 'slow', limit: 10 }, options())],
    ['list by status', () => store.list({ ownerId: 'slow', limit: 10, status: 'UPLOADED' }, options())],
    ['update', () => store.update(existing, { fields: { status: 'TRANSCODING' }, updateTime: new Date() }, { statusIn: allowedFrom('TRANSCODING') }, options())],
    ['delete', () => store.delete(existing, { version: 99 }, options())],
    ['ping', () => store.ping(options())],
  ];
}

it(`each operation on a store slowed by ${delayMs} ms ends at a ${budgetMs} ms deadline (+ < ${marginMs} ms) as StoreUnavailable`, async () => {
  const { store, existing, close } = await slowStore();
  proxy.delayMs = delayMs;
  const figures: string[] = [];
  try {
    for (const [name, call] of calls(store, existing, () => ({ deadline: Date.now() + budgetMs }))) {
      const started = performance.now();
      const outcome = await call().then(
        () => 'answered',
        (err: unknown) => err,
      );
      const elapsed = Math.round(performance.now() - started);
      figures.push(`${name} ${elapsed} ms`);
      expect({ name, outcome }).toEqual({ name, outcome: expect.any(StoreUnavailable) });
      expect(String(outcome)).toContain('deadline');
      expect({ name, late: elapsed > budgetMs + marginMs }).toEqual({ name, late: false });
    }
    console.log(`deadline ${budgetMs} ms on a store slowed by ${delayMs} ms: ${figures.join(', ')}`);
  } finally {
    proxy.delayMs = 0;
  }
  // Not broken by the aborted requests: the same store answers once the store is fast.
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  expect(await store.get(existing, { deadline: Date.now() + 5_000 })).toMatchObject({ videoId: existing.videoId });
  close();
});

it('a call whose signal is aborted, or whose deadline has passed, ends at once without a request', async () => {
  const { store, existing, client, close } = await slowStore();
  const counter = countRequests(client);
  const aborted = AbortSignal.abort();
  for (const options of [() => ({ signal: aborted }), () => ({ deadline: Date.now() - 1 })]) {
    for (const [name, call] of calls(store, existing, options)) {
      const outcome = await call().catch((err: unknown) => err);
      expect({ name, outcome }).toEqual({ name, outcome: expect.any(StoreUnavailable) });
    }
  }
  expect(counter.total()).toBe(0);
  close();
});

it('a caller that aborts mid-call ends it at once, while the store is slow', async () => {
  const { store, existing, close } = await slowStore();
  proxy.delayMs = delayMs;
  try {
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 100);
    const outcome = await store.get(existing, { signal: controller.signal }).catch((err: unknown) => err);
    const elapsed = performance.now() - started;
    expect(outcome).toBeInstanceOf(StoreUnavailable);
    expect(String(outcome)).toContain('cancelled');
    expect(elapsed).toBeLessThan(100 + marginMs);
  } finally {
    proxy.delayMs = 0;
  }
  close();
});

it('a deadline that bounds nothing (no number, or beyond what a timer holds) lets the call answer', async () => {
  const { store, existing, close } = await slowStore();
  for (const deadline of [NaN, Infinity, Date.now() + 2 ** 32, Number.MAX_VALUE]) {
    expect({ deadline, video: await store.get(existing, { deadline }) }).toMatchObject({ deadline, video: { videoId: existing.videoId } });
  }
  close();
});
