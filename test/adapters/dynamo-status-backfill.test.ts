// Adding the owner-and-status index to a table that already holds videos (SPEC §1, §7):
// `create-index --status` asks DynamoDB for it online, `backfill-status` gives the items
// written before it their key, and until both are done the service keeps the filtered
// read, so a filtered list never misses an older video. dynalite cannot add an index,
// so the table sits behind test/support/index-proxy.ts, which does it as DynamoDB would.
import { GetItemCommand, PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { VideoStatus } from '../../src/domain/video.ts';
import { backfillStatus, type BackfillProgress } from '../../src/adapters/dynamo/backfill-status.ts';
import { createStatusIndex } from '../../src/adapters/dynamo/create-index.ts';
import { DynamoVideoStore } from '../../src/adapters/dynamo/store.ts';
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
const statuses: VideoStatus[] = ['UPLOADED', 'TRANSCODING', 'TRANSCODED', 'COMPLETED', 'FAILED'];

// What the older application (or an older version of this service) left behind: odd
// spellings, no status, values that are no status, and a key left stale by a status change.
const legacy: { status?: AttributeValue; ownerStatus?: string; reads: VideoStatus }[] = [
  { status: { S: 'uploaded' }, reads: 'UPLOADED' },
  { status: { S: 'Uploaded' }, reads: 'UPLOADED' },
  { reads: 'UPLOADED' },
  { status: { S: '' }, reads: 'UPLOADED' },
  { status: { S: 'TRANSCODING' }, reads: 'TRANSCODING' },
  { status: { S: 'compleTED' }, reads: 'COMPLETED' },
  { status: { S: 'completed' }, ownerStatus: `${owner}#uploaded`, reads: 'COMPLETED' },
  { status: { S: 'processing' }, reads: 'FAILED' },
  { status: { N: '7' }, reads: 'FAILED' },
  { status: { M: { word: { S: 'uploaded' } } }, reads: 'FAILED' },
];

function legacyId(index: number): string {
  return `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
}

async function open(names: { table: string; ownerIndex: string }, warnings: string[] = []) {
  return DynamoVideoStore.open({ ...names, client, logger: { warn: (message) => warnings.push(message) } });
}

async function listed(store: DynamoVideoStore, status: VideoStatus): Promise<string[]> {
  return (await store.list({ ownerId: owner, limit: 100, status })).videos.map((v) => v.videoId);
}

it('create-index --status, then backfill-status: filtered lists move to the index only once every older video has its key', async () => {
  const names = uniqueNames();
  await createVideosTable(client, names, 'owner-time');
  for (const [index, item] of legacy.entries()) {
    await client.send(
      new PutItemCommand({
        TableName: names.table,
        Item: {
          ownerId: { S: owner },
          videoId: { S: legacyId(index) },
          originalName: { S: 'old.mov' },
          createdAt: { S: new Date(Date.UTC(2023, 0, 1) + index * 1000).toISOString() },
          ...(item.status === undefined ? {} : { status: item.status }),
          ...(item.ownerStatus === undefined ? {} : { ownerStatus: { S: item.ownerStatus } }),
        },
      }),
    );
  }
  const before = await open(names);
  const written = await Promise.all(statuses.map((status, i) => before.create(video(owner, { status }, new Date(Date.UTC(2024, 0, 1) + i)))));
  const expected = Object.fromEntries(
    statuses.map((status) => [
      status,
      [...written.filter((v) => v.status === status).map((v) => v.videoId), ...legacy.flatMap((item, i) => (item.reads === status ? [legacyId(i)] : [])).reverse()],
    ]),
  );
  for (const status of statuses) expect(await listed(before, status), status).toEqual(expected[status]);

  // The index is requested online; DynamoDB reports it CREATING while it backfills.
  const created = await createStatusIndex(client, { table: names.table, indexName: 'OwnerStatusIndex' });
  expect(created).toEqual({
    indexName: 'OwnerStatusIndex',
    outcome: 'created',
    status: 'CREATING',
    next: 'run `videosvc dynamo backfill-status` (items written before the index lack its key), then restart the service once the index is ACTIVE',
  });
  expect(proxy.indexRequests.at(-1)).toEqual({
    TableName: names.table,
    AttributeDefinitions: [
      { AttributeName: 'ownerStatus', AttributeType: 'S' },
      { AttributeName: 'createdAt', AttributeType: 'S' },
    ],
    GlobalSecondaryIndexUpdates: [
      {
        Create: {
          IndexName: 'OwnerStatusIndex',
          KeySchema: [
            { AttributeName: 'ownerStatus', KeyType: 'HASH' },
            { AttributeName: 'createdAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      },
    ],
  });
  expect(await createStatusIndex(client, { table: names.table, indexName: 'OwnerStatusIndex' })).toMatchObject({ outcome: 'exists', status: 'CREATING' });
  expect(proxy.indexRequests).toHaveLength(1);

  // Still building: the filtered read, with one warning.
  const building: string[] = [];
  expect((await open(names, building)).filterMode).toBe('filter');
  expect(building).toEqual([expect.stringContaining('"OwnerStatusIndex" is CREATING')]);

  // Built, but the older videos lack the key: still the filtered read, naming the backfill.
  proxy.activate();
  const unmarked: string[] = [];
  const waiting = await open(names, unmarked);
  expect(waiting.filterMode).toBe('filter');
  expect(unmarked).toEqual([expect.stringContaining('`videosvc dynamo backfill-status`')]);
  for (const status of statuses) expect(await listed(waiting, status), status).toEqual(expected[status]);

  const progress: BackfillProgress[] = [];
  const result = await backfillStatus(client, names.table, { pageSize: 4, onProgress: (p) => progress.push(p) });
  // Every legacy item lacked its key or held a stale one; the service's own had theirs.
  expect(result).toEqual({ scanned: legacy.length + written.length, updated: legacy.length, raced: 0 });
  expect(progress.length).toBeGreaterThanOrEqual(4);
  expect(progress.at(-1)).toEqual(result);

  const quiet: string[] = [];
  const after = await open(names, quiet);
  expect([after.filterMode, quiet]).toEqual(['owner-status-index', []]);
  for (const status of statuses) expect(await listed(after, status), status).toEqual(expected[status]);

  // The key follows what the status reads as; the stored status itself is never rewritten.
  const raw = async (index: number) =>
    (await client.send(new GetItemCommand({ TableName: names.table, Key: { ownerId: { S: owner }, videoId: { S: legacyId(index) } }, ConsistentRead: true }))).Item;
  expect([(await raw(7))?.status, (await raw(7))?.ownerStatus]).toEqual([{ S: 'processing' }, { S: `${owner}#failed` }]);
  expect([(await raw(2))?.status, (await raw(2))?.ownerStatus]).toEqual([undefined, { S: `${owner}#uploaded` }]);
  expect((await raw(6))?.ownerStatus).toEqual({ S: `${owner}#completed` });

  // Idempotent: a second run finds nothing to write.
  expect(await backfillStatus(client, names.table)).toEqual({ scanned: legacy.length + written.length, updated: 0, raced: 0 });
  for (const store of [before, waiting, after]) await store.close();
});

it('a backfill never overwrites a key whose item changed after the Scan read it: the fix is counted as raced and left to the writer', async () => {
  const names = uniqueNames();
  await createVideosTable(client, names, 'owner-time-and-status');
  const store = await open(names);
  const item = (status: string, ownerStatus?: string): Record<string, AttributeValue> => ({
    ownerId: { S: 'racer' },
    videoId: { S: legacyId(1) },
    status: { S: status },
    createdAt: { S: '2023-01-01T00:00:00.000Z' },
    ...(ownerStatus === undefined ? {} : { ownerStatus: { S: ownerStatus } }),
  });
  // An older writer's item without the key; this service moves it to FAILED between the
  // Scan and the backfill's conditional write.
  await client.send(new PutItemCommand({ TableName: names.table, Item: item('uploaded') }));
  const direct = testClient(dynamo.endpoint);
  proxy.beforeForward = async (operation) => {
    if (operation !== 'UpdateItem') return;
    proxy.beforeForward = undefined;
    await direct.send(new PutItemCommand({ TableName: names.table, Item: item('failed', 'racer#failed') }));
  };
  try {
    expect(await backfillStatus(client, names.table)).toEqual({ scanned: 1, updated: 0, raced: 1 });
  } finally {
    proxy.beforeForward = undefined;
    direct.destroy();
  }
  expect((await store.list({ ownerId: 'racer', limit: 10, status: 'FAILED' })).videos.map((x) => x.videoId)).toEqual([legacyId(1)]);
  expect((await store.list({ ownerId: 'racer', limit: 10, status: 'UPLOADED' })).videos).toEqual([]);
  await store.close();
});
