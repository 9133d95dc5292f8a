// The work index's life on an existing table (SPEC §7, §9): without it the service starts,
// warns once naming `videosvc dynamo create-index --work`, and claims answer
// FAILED_PRECONDITION naming it; `create-index --work` adds it online (idempotent) and
// `backfill-work` gives the older application's items the attributes that make them
// claimable, never undoing a racing write. dynalite cannot add an index, so the table sits
// behind test/support/index-proxy.ts, which does it as DynamoDB would.
import { GetItemCommand, PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FailedPrecondition } from '../../src/domain/errors.ts';
import type { ClaimGrant } from '../../src/domain/ports.ts';
import { backfillWork, type BackfillWorkProgress } from '../../src/adapters/dynamo/backfill-work.ts';
import { createWorkIndex } from '../../src/adapters/dynamo/create-index.ts';
import { DynamoSetupError } from '../../src/adapters/dynamo/errors.ts';
import { DynamoVideoStore } from '../../src/adapters/dynamo/store.ts';
import { workShardOf } from '../../src/adapters/dynamo/work-index.ts';
import { createVideosTable, startDynalite, testClient, type RunningDynalite } from '../support/dynalite.ts';
import { startIndexProxy, type IndexProxy } from '../support/index-proxy.ts';
import { uniqueNames, video } from './dynamo-fixtures.ts';

let dynamo: RunningDynalite;
let proxy: IndexProxy;
let client: DynamoDBClient;
beforeAll(async () => {
  dynamo = await startDynalite();
  proxy = await startIndexProxy(dynamo.endpoint);
  client = testClient(proxy.endpoint);
});
afterAll(async () => {
  client.destroy();
  await proxy.close();
  await dynamo.stop();
});

const owner = 'older';
const now = Date.UTC(2025, 0, 1);

function grantAt(at: number, workerId = 'worker-a'): ClaimGrant {
  return { workerId, now: new Date(at), expireTime: new Date(at + 60_000), maxAttempts: 3 };
}

async function open(names: { table: string; ownerIndex: string }, warnings: string[] = []) {
  return DynamoVideoStore.open({ ...names, client, logger: { warn: (message) => warnings.push(message) } });
}

function legacyId(index: number): string {
  return `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
}

it('without the work index: one warning naming create-index --work, and claims refused naming it; everything else served', async () => {
  const names = uniqueNames();
  await createVideosTable(client, names, 'owner-time', { workIndex: false });
  const warnings: string[] = [];
  const store = await open(names, warnings);
  const work = warnings.filter((warning) => warning.includes('work index'));
  expect(work).toHaveLength(1);
  expect(work[0]).toContain('has no work index "WorkIndex"');
  expect(work[0]).toContain('`videosvc dynamo create-index --work`');
  const created = await store.create(video(owner));
  const refused = store.claimNext(grantAt(now));
  await expect(refused).rejects.toBeInstanceOf(FailedPrecondition);
  await expect(refused).rejects.toThrow('`videosvc dynamo create-index --work`');
  // The reason a worker's program reads in ErrorInfo.
  await expect(refused).rejects.toMatchObject({ reason: 'WORK_INDEX_MISSING' });
  expect(await store.get(created)).toEqual(created);
  await store.close();
});

it('an index of the work index\'s name keyed otherwise stops start-up, naming DYNAMO_WORK_INDEX', async () => {
  const names = uniqueNames();
  await createVideosTable(client, names, 'owner-time');
  const failure = await DynamoVideoStore.open({ ...names, workIndex: 'OwnerIndex', client }).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(DynamoSetupError);
  expect((failure as Error).message).toContain('"OwnerIndex" on table');
  expect((failure as Error).message).toContain('DYNAMO_WORK_INDEX');
});

it('create-index --work on the older application\'s table, then backfill-work: its uploaded videos become claimable, oldest first', async () => {
  const names = uniqueNames();
  await createVideosTable(client, names, 'owner-only', { workIndex: false });
  // What the older application wrote: no version, statuses in its own spellings, no index keys.
  const legacy: { status?: string; createdAt: string; updatedAt?: string; extra?: Record<string, AttributeValue>; claimable: boolean }[] = [
    { status: 'uploaded', createdAt: '2023-01-01T00:00:03.000Z', claimable: true },
    { status: 'Uploaded', createdAt: '2023-01-01T00:00:01.000Z', updatedAt: '2023-01-01T00:00:05.000Z', claimable: true },
    { createdAt: '2023-01-01T00:00:02.000Z', claimable: true },
    { status: 'transcoding', createdAt: '2023-01-01T00:00:00.000Z', claimable: false },
    { status: 'transcoded', createdAt: '2023-01-01T00:00:00.500Z', claimable: false },
    { status: 'completed', createdAt: '2023-01-01T00:00:00.600Z', claimable: false },
    // An earlier version of this service: a claim, long expired, and no index keys.
    {
      status: 'transcoding',
      createdAt: '2023-01-01T00:00:00.700Z',
      extra: { claimWorker: { S: 'gone' }, claimExpiresAt: { S: '2023-01-01T00:00:04.000Z' }, attempts: { N: '1' }, version: { N: '2' } },
      claimable: true,
    },
    // Strays: index keys on videos a writer unaware of them has finished. A claim that
    // meets the first takes it out of the queue; the backfill takes out the second.
    { status: 'completed', createdAt: '2023-01-01T00:00:00.800Z', extra: { readyAt: { S: '2023-01-01T00:00:00.800Z' }, workShard: { N: '3' } }, claimable: false },
    { status: 'failed', createdAt: '2023-01-01T00:00:00.900Z', extra: { readyAt: { S: '2099-01-01T00:00:00.000Z' }, workShard: { N: '4' } }, claimable: false },
  ];
  for (const [index, item] of legacy.entries()) {
    await client.send(
      new PutItemCommand({
        TableName: names.table,
        Item: {
          ownerId: { S: owner },
          videoId: { S: legacyId(index) },
          originalName: { S: 'old.mov' },
          createdAt: { S: item.createdAt },
          ...(item.updatedAt === undefined ? {} : { updatedAt: { S: item.updatedAt } }),
          ...(item.status === undefined ? {} : { status: { S: item.status } }),
          ...item.extra,
        },
      }),
    );
  }
  const before = await open(names);
  const newer = await before.create(video(owner, {}, new Date('2024-06-01T00:00:00.000Z')));
  await expect(before.claimNext(grantAt(now))).rejects.toThrow('create-index --work');

  const created = await createWorkIndex(client, { table: names.table, indexName: 'WorkIndex' });
  expect(created).toEqual({
    indexName: 'WorkIndex',
    outcome: 'created',
    status: 'CREATING',
    next: 'run `videosvc dynamo backfill-work` (items written before the index lack its keys and are not claimable until then), then restart the service once the index is ACTIVE',
  });
  expect(proxy.indexRequests.at(-1)).toEqual({
    TableName: names.table,
    AttributeDefinitions: [
      { AttributeName: 'workShard', AttributeType: 'N' },
      { AttributeName: 'readyAt', AttributeType: 'S' },
    ],
    GlobalSecondaryIndexUpdates: [
      {
        Create: {
          IndexName: 'WorkIndex',
          KeySchema: [
            { AttributeName: 'workShard', KeyType: 'HASH' },
            { AttributeName: 'readyAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['status', 'version', 'attempts', 'claimWorker', 'claimExpiresAt'] },
        },
      },
    ],
  });
  const requests = proxy.indexRequests.length;
  expect(await createWorkIndex(client, { table: names.table, indexName: 'WorkIndex' })).toMatchObject({ outcome: 'exists', status: 'CREATING' });
  expect(proxy.indexRequests).toHaveLength(requests);

  // Still building: claims refused, one warning saying so.
  const building: string[] = [];
  const whileBuilding = await open(names, building);
  expect(building.filter((warning) => warning.includes('"WorkIndex" is CREATING'))).toHaveLength(1);
  await expect(whileBuilding.claimNext(grantAt(now))).rejects.toBeInstanceOf(FailedPrecondition);

  // Built: only what this service wrote with the index keys is claimable before the backfill.
  proxy.activate();
  const quiet: string[] = [];
  const unfilled = await open(names, quiet);
  expect(quiet.filter((warning) => warning.includes('work index') || warning.includes('WorkIndex'))).toEqual([]);
  const onlyNewer = await unfilled.claimNext(grantAt(now));
  expect(onlyNewer?.videoId).toBe(newer.videoId);
  expect(await unfilled.claimNext(grantAt(now))).toBeUndefined();
  const raw = async (index: number) =>
    (await client.send(new GetItemCommand({ TableName: names.table, Key: { ownerId: { S: owner }, videoId: { S: legacyId(index) } }, ConsistentRead: true }))).Item;
  expect([(await raw(7))?.readyAt, (await raw(7))?.workShard]).toEqual([undefined, undefined]);

  const progress: BackfillWorkProgress[] = [];
  const result = await backfillWork(client, names.table, { pageSize: 3, onProgress: (p) => progress.push(p) });
  // Four items gain the keys (three uploaded, one claimed), the remaining stray loses them.
  expect(result).toEqual({ scanned: legacy.length + 1, updated: 5, raced: 0 });
  expect(progress.length).toBeGreaterThanOrEqual(3);
  expect(progress.at(-1)).toEqual(result);
  // An uploaded video waits from its last update (else its creation); nothing else of it changes.
  expect(await raw(1)).toEqual({
    ownerId: { S: owner },
    videoId: { S: legacyId(1) },
    originalName: { S: 'old.mov' },
    status: { S: 'Uploaded' },
    createdAt: { S: '2023-01-01T00:00:01.000Z' },
    updatedAt: { S: '2023-01-01T00:00:05.000Z' },
    readyAt: { S: '2023-01-01T00:00:05.000Z' },
    workShard: { N: String(workShardOf(owner, legacyId(1))) },
  });
  expect([(await raw(8))?.readyAt, (await raw(8))?.workShard, (await raw(8))?.status]).toEqual([undefined, undefined, { S: 'failed' }]);

  // Oldest-waiting first: 00:02 (no status), 00:03, the expired claim (00:04), 00:05.
  const claimed: string[] = [];
  for (let next = await unfilled.claimNext(grantAt(now)); next !== undefined; next = await unfilled.claimNext(grantAt(now))) claimed.push(next.videoId);
  expect(claimed).toEqual([2, 0, 6, 1].map(legacyId));
  expect(legacy.flatMap((item, index) => (item.claimable ? [legacyId(index)] : [])).toSorted()).toEqual(claimed.toSorted());

  // Idempotent: a second run touches nothing (the claims just made keep their keys).
  expect(await backfillWork(client, names.table)).toEqual({ scanned: legacy.length + 1, updated: 0, raced: 0 });
  for (const store of [before, whileBuilding, unfilled]) await store.close();
});

it('a backfill never overwrites work attributes whose item changed after the Scan read it: counted as raced, left to the writer', async () => {
  const names = uniqueNames();
  await createVideosTable(client, names, 'owner-time');
  const store = await open(names);
  const item = (status: string, extra: Record<string, AttributeValue> = {}): Record<string, AttributeValue> => ({
    ownerId: { S: 'racer' },
    videoId: { S: legacyId(1) },
    status: { S: status },
    createdAt: { S: '2023-01-01T00:00:00.000Z' },
    ...extra,
  });
  // An older writer's uploaded item; this service claims it between the Scan and the fix.
  await client.send(new PutItemCommand({ TableName: names.table, Item: item('uploaded') }));
  const direct = testClient(dynamo.endpoint);
  const claimedItem = item('transcoding', {
    version: { N: '1' },
    claimWorker: { S: 'w' },
    claimExpiresAt: { S: '2030-01-01T00:00:00.000Z' },
    readyAt: { S: '2030-01-01T00:00:00.000Z' },
    workShard: { N: String(workShardOf('racer', legacyId(1))) },
  });
  proxy.beforeForward = async (operation) => {
    if (operation !== 'UpdateItem') return;
    proxy.beforeForward = undefined;
    await direct.send(new PutItemCommand({ TableName: names.table, Item: claimedItem }));
  };
  try {
    expect(await backfillWork(client, names.table)).toEqual({ scanned: 1, updated: 0, raced: 1 });
  } finally {
    proxy.beforeForward = undefined;
    direct.destroy();
  }
  const stored = (await client.send(new GetItemCommand({ TableName: names.table, Key: { ownerId: { S: 'racer' }, videoId: { S: legacyId(1) } }, ConsistentRead: true }))).Item;
  expect(stored).toEqual(claimedItem);
  await store.close();
});
