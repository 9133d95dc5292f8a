// The VideoStore contract on DynamoDB served by dynalite on loopback, for every table
// shape: what create-table makes (owner/time index, one Query per page, plus the
// owner-and-status index, one Query per status-filtered page), the owner/time index
// alone (status filters read past other videos) and the production OwnerIndex without a
// sort key (whole-partition reads).
import { afterAll, beforeAll } from 'vitest';
import { DynamoVideoStore } from '../../src/adapters/dynamo/store.ts';
import { createVideosTable, startDynalite, testClient, type IndexShape, type RunningDynalite } from '../support/dynalite.ts';
import { videoStoreContract } from './video-store.contract.ts';
import { storeDeadlineContract } from './video-store/deadlines.ts';

let dynamo: RunningDynalite | undefined;
const started = startDynalite().then((running) => (dynamo = running));
beforeAll(async () => {
  await started;
});
afterAll(async () => {
  await dynamo?.stop();
});

async function openOnDynalite(shape: IndexShape): Promise<DynamoVideoStore> {
  const running = await started;
  const names = { table: `contract_${shape.replaceAll('-', '_')}`, ownerIndex: 'OwnerIndex' };
  const client = testClient(running.endpoint);
  await createVideosTable(client, names, shape);
  // The store does not own a client handed to it; destroy it when the suite closes the store.
  const store = await DynamoVideoStore.open({ ...names, client });
  // The suite must really run on the path its name says.
  const filterMode = shape === 'owner-time-and-status' ? 'owner-status-index' : 'filter';
  if (store.filterMode !== filterMode) throw new Error(`expected status filters by ${filterMode}, got ${store.filterMode}`);
  const close = store.close.bind(store);
  store.close = async () => {
    await close();
    client.destroy();
  };
  return store;
}

videoStoreContract('dynamodb (dynalite, owner/time and owner-and-status indexes)', () => openOnDynalite('owner-time-and-status'));
videoStoreContract('dynamodb (dynalite, owner/time index)', () => openOnDynalite('owner-time'));
videoStoreContract('dynamodb (dynalite, owner index without sort key)', () => openOnDynalite('owner-only'));

// The deadline contract, on its own table so its videos never meet the main suite's.
{
  let store: DynamoVideoStore | undefined;
  beforeAll(async () => {
    const running = await started;
    const names = { table: 'contract_deadlines', ownerIndex: 'OwnerIndex' };
    const client = testClient(running.endpoint);
    await createVideosTable(client, names, 'owner-time');
    store = await DynamoVideoStore.open({ ...names, client });
    const close = store.close.bind(store);
    store.close = async () => {
      await close();
      client.destroy();
    };
  });
  afterAll(async () => {
    await store?.close();
  });
  storeDeadlineContract('dynamodb (dynalite, owner/time index)', () => store!);
}
