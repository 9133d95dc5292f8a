// The store stopped mid-run: calls fail with StoreUnavailable quickly (bounded retries and
// timeouts), and succeed again once DynamoDB is back — same store object, no reopen.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { StoreUnavailable } from '../../src/domain/errors.ts';
import { DynamoRequestFailed } from '../../src/adapters/dynamo/errors.ts';
import { createVideosTable, deleteVideosTable, startDynalite, type RunningDynalite } from '../support/dynalite.ts';
import { openStore, video } from './dynamo-fixtures.ts';

let dynamo: RunningDynalite;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});

it('fails every call with StoreUnavailable while DynamoDB is down, and recovers without a restart', async () => {
  const { store, client, table, ownerIndex } = await openStore(dynamo.endpoint, 'owner-time');
  const v = await store.create(video('outage'));
  await dynamo.stop();

  const started = Date.now();
  const calls = [
    store.get(v),
    store.create(video('outage')),
    store.list({ ownerId: 'outage', limit: 10 }),
    store.getMany('outage', [v.videoId]),
    store.update(v, { fields: { title: 'x' }, updateTime: new Date() }, {}),
    store.delete(v, {}),
    store.ping(),
  ];
  for (const outcome of await Promise.allSettled(calls)) {
    expect(outcome.status).toBe('rejected');
    expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(StoreUnavailable);
  }
  expect(Date.now() - started).toBeLessThan(10_000);

  // dynalite keeps data in memory only, so "back" means an empty server on the same port.
  await dynamo.restart();
  await expect(store.ping()).rejects.toThrow(`table "${table}" was not found`);
  await createVideosTable(client, { table, ownerIndex }, 'owner-time');
  await store.ping();
  const again = await store.create(video('outage'));
  expect(await store.get(again)).toEqual(again);
});

it('a table deleted under a running store reads as StoreUnavailable naming the table', async () => {
  const { store, client, table } = await openStore(dynamo.endpoint, 'owner-time');
  await deleteVideosTable(client, table);
  const failure = await store.get({ ownerId: 'x', videoId: crypto.randomUUID() }).catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(StoreUnavailable);
  expect(String(failure)).toContain(table);
  expect(failure).not.toBeInstanceOf(DynamoRequestFailed);
});
