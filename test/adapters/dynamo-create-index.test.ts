// `createOwnerTimeIndex` and `createStatusIndex` send the exact UpdateTable a DynamoDB
// table needs to gain the owner/time or owner-and-status index online. dynalite cannot
// add an index by UpdateTable, so the requests go to a loopback recorder that answers
// like DynamoDB would (test/support/index-proxy.ts does the same in front of dynalite).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createOwnerTimeIndex, createStatusIndex } from '../../src/adapters/dynamo/create-index.ts';
import { testClient } from '../support/dynalite.ts';

interface Recorded {
  readonly target: string;
  readonly body: Record<string, unknown>;
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server?.closeAllConnections();
  server = undefined;
});

/** Starts a recorder on 127.0.0.1:0 answering each X-Amz-Target with `answers[operation]`. */
async function recorder(answers: Record<string, unknown>): Promise<{ endpoint: string; requests: Recorded[] }> {
  const requests: Recorded[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      requests.push({ target, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') });
      res.setHeader('content-type', 'application/x-amz-json-1.0');
      res.end(JSON.stringify(answers[target.replace('DynamoDB_20120810.', '')] ?? {}));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, requests };
}

const productionTable = {
  TableName: 'videos',
  TableStatus: 'ACTIVE',
  KeySchema: [
    { AttributeName: 'ownerId', KeyType: 'HASH' },
    { AttributeName: 'videoId', KeyType: 'RANGE' },
  ],
  BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
  GlobalSecondaryIndexes: [
    { IndexName: 'OwnerIndex', KeySchema: [{ AttributeName: 'ownerId', KeyType: 'HASH' }], IndexStatus: 'ACTIVE', Projection: { ProjectionType: 'ALL' } },
  ],
};

const ownerTimeIndex = {
  IndexName: 'OwnerCreatedIndex',
  KeySchema: [
    { AttributeName: 'ownerId', KeyType: 'HASH' },
    { AttributeName: 'createdAt', KeyType: 'RANGE' },
  ],
  Projection: { ProjectionType: 'ALL' },
};

it('adds OwnerCreatedIndex with one UpdateTable (ownerId HASH, createdAt RANGE, projection ALL)', async () => {
  const fake = await recorder({
    DescribeTable: { Table: productionTable },
    UpdateTable: {
      TableDescription: {
        ...productionTable,
        TableStatus: 'UPDATING',
        GlobalSecondaryIndexes: [...productionTable.GlobalSecondaryIndexes, { ...ownerTimeIndex, IndexStatus: 'CREATING', Backfilling: false }],
      },
    },
  });
  const result = await createOwnerTimeIndex(testClient(fake.endpoint), { table: 'videos' });
  expect(result).toEqual({
    indexName: 'OwnerCreatedIndex',
    outcome: 'created',
    status: 'CREATING',
    next: 'when the index is ACTIVE, set DYNAMO_OWNER_INDEX=OwnerCreatedIndex (or the SSM parameter dynamoOwnerIndex) and restart the service',
  });
  expect(fake.requests).toEqual([
    { target: 'DynamoDB_20120810.DescribeTable', body: { TableName: 'videos' } },
    {
      target: 'DynamoDB_20120810.UpdateTable',
      body: {
        TableName: 'videos',
        AttributeDefinitions: [
          { AttributeName: 'ownerId', AttributeType: 'S' },
          { AttributeName: 'createdAt', AttributeType: 'S' },
        ],
        GlobalSecondaryIndexUpdates: [{ Create: ownerTimeIndex }],
      },
    },
  ]);
});

it('gives a provisioned table\'s new index the table\'s throughput, and honours --name', async () => {
  const provisioned = { ...productionTable, BillingModeSummary: undefined, ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 3 } };
  const fake = await recorder({ DescribeTable: { Table: provisioned }, UpdateTable: { TableDescription: provisioned } });
  await createOwnerTimeIndex(testClient(fake.endpoint), { table: 'videos', indexName: 'ByOwnerTime' });
  const update = fake.requests[1]?.body as { GlobalSecondaryIndexUpdates: { Create: Record<string, unknown> }[] };
  expect(update.GlobalSecondaryIndexUpdates[0]?.Create).toEqual({
    ...ownerTimeIndex,
    IndexName: 'ByOwnerTime',
    ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 3 },
  });
});

it('is idempotent: an existing index is reported with its status and nothing is sent', async () => {
  const fake = await recorder({
    DescribeTable: {
      Table: { ...productionTable, GlobalSecondaryIndexes: [...productionTable.GlobalSecondaryIndexes, { ...ownerTimeIndex, IndexStatus: 'ACTIVE' }] },
    },
  });
  const result = await createOwnerTimeIndex(testClient(fake.endpoint), { table: 'videos' });
  expect(result).toMatchObject({ outcome: 'exists', status: 'ACTIVE' });
  expect(fake.requests.map((request) => request.target)).toEqual(['DynamoDB_20120810.DescribeTable']);
});

it('refuses an existing index of that name that does not project ALL, which the service would refuse at start', async () => {
  const keysOnly = { ...ownerTimeIndex, Projection: { ProjectionType: 'KEYS_ONLY' }, IndexStatus: 'ACTIVE' };
  const fake = await recorder({
    DescribeTable: { Table: { ...productionTable, GlobalSecondaryIndexes: [...productionTable.GlobalSecondaryIndexes, keysOnly] } },
  });
  await expect(createOwnerTimeIndex(testClient(fake.endpoint), { table: 'videos' })).rejects.toThrow('choose another --name');
  expect(fake.requests.map((request) => request.target)).toEqual(['DynamoDB_20120810.DescribeTable']);
});

const statusIndex = {
  IndexName: 'OwnerStatusIndex',
  KeySchema: [
    { AttributeName: 'ownerStatus', KeyType: 'HASH' },
    { AttributeName: 'createdAt', KeyType: 'RANGE' },
  ],
  Projection: { ProjectionType: 'ALL' },
};

it('adds the owner-and-status index to a provisioned table with the table\'s throughput (ownerStatus HASH, createdAt RANGE, projection ALL)', async () => {
  const provisioned = { ...productionTable, BillingModeSummary: undefined, ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 3 } };
  const fake = await recorder({ DescribeTable: { Table: provisioned }, UpdateTable: { TableDescription: provisioned } });
  const result = await createStatusIndex(testClient(fake.endpoint), { table: 'videos', indexName: 'OwnerStatusIndex' });
  expect(result).toMatchObject({ indexName: 'OwnerStatusIndex', outcome: 'created', status: 'CREATING' });
  expect(result.next).toContain('`videosvc dynamo backfill-status`');
  expect(fake.requests[1]?.body).toEqual({
    TableName: 'videos',
    AttributeDefinitions: [
      { AttributeName: 'ownerStatus', AttributeType: 'S' },
      { AttributeName: 'createdAt', AttributeType: 'S' },
    ],
    GlobalSecondaryIndexUpdates: [{ Create: { ...statusIndex, ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 3 } } }],
  });
});

it('refuses an existing index of the owner-and-status name keyed otherwise, naming DYNAMO_STATUS_INDEX', async () => {
  const fake = await recorder({
    DescribeTable: { Table: { ...productionTable, GlobalSecondaryIndexes: [{ ...ownerTimeIndex, IndexName: 'OwnerStatusIndex', IndexStatus: 'ACTIVE' }] } },
  });
  await expect(createStatusIndex(testClient(fake.endpoint), { table: 'videos', indexName: 'OwnerStatusIndex' })).rejects.toThrow(
    'set DYNAMO_STATUS_INDEX to another name',
  );
  expect(fake.requests.map((request) => request.target)).toEqual(['DynamoDB_20120810.DescribeTable']);
});
