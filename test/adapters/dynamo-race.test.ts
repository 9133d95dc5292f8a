// Two service processes on one table (two stores, two clients) racing to claim the same
// video UPLOADED → TRANSCODING with the etag they read: exactly one wins (SPEC §2).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { StaleEtag } from '../../src/domain/errors.ts';
import { allowedFrom } from '../../src/domain/lifecycle.ts';
import { DynamoVideoStore } from '../../src/adapters/dynamo/store.ts';
import { startDynalite, testClient, type RunningDynalite } from '../support/dynalite.ts';
import { openStore, video } from './dynamo-fixtures.ts';

let dynamo: RunningDynalite;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});

it.each([2, 8])('of %i workers claiming one video with the same etag, exactly one wins', async (workers) => {
  const first = await openStore(dynamo.endpoint, 'owner-time');
  const stores = [first.store];
  for (let i = 1; i < workers; i++) {
    stores.push(await DynamoVideoStore.open({ table: first.table, ownerIndex: first.ownerIndex, client: testClient(dynamo.endpoint) }));
  }
  const v = await first.store.create(video('worker-race'));
  let release!: () => void;
  const startSignal = new Promise<void>((resolve) => (release = resolve));
  const attempts = stores.map(async (store, index) => {
    await startSignal;
    return store.update(
      v,
      { fields: { status: 'TRANSCODING', labels: { worker: String(index) } }, updateTime: new Date() },
      { version: v.version, statusIn: allowedFrom('TRANSCODING') },
    );
  });
  release();
  const outcomes = await Promise.allSettled(attempts);
  const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
  expect(winners).toHaveLength(1);
  for (const outcome of outcomes) {
    if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(StaleEtag);
  }
  const stored = await first.store.get(v);
  expect(stored).toMatchObject({ status: 'TRANSCODING', version: v.version + 1 });
  expect(stored?.labels).toEqual((winners[0] as PromiseFulfilledResult<typeof stored>).value?.labels);
});
