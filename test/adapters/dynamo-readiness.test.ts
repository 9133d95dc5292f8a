// Readiness on DynamoDB (/readyz and gRPC health call store.ping()): a cheap data-plane
// read, never the control-plane DescribeTable, shared by concurrent probes and
// remembered briefly, so probes from many load balancers cost at most one small read per
// interval. A failure is not remembered: a store that comes back is ready at the next probe.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { StoreUnavailable } from '../../src/domain/errors.ts';
import { pingOkForMs } from '../../src/adapters/dynamo/readiness.ts';
import { countRequests } from '../../src/adapters/dynamo/request-counter.ts';
import { createVideosTable, startDynalite, type RunningDynalite } from '../support/dynalite.ts';
import { openStore } from './dynamo-fixtures.ts';

let dynamo: RunningDynalite;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

it('200 concurrent probes and 50 more within the interval cost one GetItem and no DescribeTable', async () => {
  const { store, client } = await openStore(dynamo.endpoint, 'owner-time');
  const counter = countRequests(client);
  const started = performance.now();
  await Promise.all(Array.from({ length: 200 }, () => store.ping()));
  for (let i = 0; i < 50; i++) await store.ping();
  const elapsed = Math.round(performance.now() - started);
  expect(Object.fromEntries(counter.counts)).toEqual({ GetItem: 1 });
  console.log(`250 probes within ${elapsed} ms: ${counter.total()} request (${[...counter.counts.keys()].join(', ')})`);

  // After the interval, the next probe asks again (once).
  await sleep(pingOkForMs + 100);
  await Promise.all(Array.from({ length: 20 }, () => store.ping()));
  expect(Object.fromEntries(counter.counts)).toEqual({ GetItem: 2 });
});

it('the probe reads a key no video can have, projecting one key attribute, eventually consistent', async () => {
  const { store, client } = await openStore(dynamo.endpoint, 'owner-time');
  const inputs: Record<string, unknown>[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'GetItemCommand') inputs.push(args.input as Record<string, unknown>);
      return next(args);
    },
    { step: 'initialize', name: 'probeInputs' },
  );
  await store.ping();
  expect(inputs).toHaveLength(1);
  expect(inputs[0]).toMatchObject({ ProjectionExpression: '#o', ExpressionAttributeNames: { '#o': 'ownerId' } });
  expect(inputs[0]?.ConsistentRead).not.toBe(true);
  expect(JSON.stringify(inputs[0]?.Key)).toContain('#readiness');
});

it('forgets a success once a call finds the store unavailable, and remembers no failure: ready again as soon as it is back', async () => {
  const local = await startDynalite();
  const { store, client, table, ownerIndex } = await openStore(local.endpoint, 'owner-time');
  await store.ping();
  await local.stop();
  await store.ping(); // still within the remembered success
  await expect(store.get({ ownerId: 'x', videoId: '00000000-0000-4000-8000-000000000000' })).rejects.toBeInstanceOf(StoreUnavailable);
  await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailable);
  await local.restart();
  await createVideosTable(client, { table, ownerIndex }, 'owner-time');
  await store.ping();
  await local.stop();
});
