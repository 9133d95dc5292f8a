// Real DynamoDB returns the old item with a ConditionalCheckFailedException when asked
// (ReturnValuesOnConditionCheckFailure); dynalite never does. A loopback endpoint answers
// like DynamoDB so the store's use of that item is tested: the failure is explained
// without a second request, from the low-level attribute values.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { IllegalTransition, StaleEtag } from '../../src/domain/errors.ts';
import { allowedFrom } from '../../src/domain/lifecycle.ts';
import { DynamoVideoStore } from '../../src/adapters/dynamo/store.ts';
import { testClient } from '../support/dynalite.ts';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

const table = {
  TableName: 'videos',
  TableStatus: 'ACTIVE',
  KeySchema: [
    { AttributeName: 'ownerId', KeyType: 'HASH' },
    { AttributeName: 'videoId', KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: 'OwnerIndex',
      KeySchema: [
        { AttributeName: 'ownerId', KeyType: 'HASH' },
        { AttributeName: 'createdAt', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
      IndexStatus: 'ACTIVE',
    },
  ],
};

/** A DynamoDB stand-in whose conditional writes all fail, returning `oldItem` as DynamoDB does. */
async function failingConditions(oldItem: Record<string, unknown>): Promise<{ endpoint: string; operations: string[]; bodies: string[] }> {
  const operations: string[] = [];
  const bodies: string[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString());
      const operation = String(req.headers['x-amz-target'] ?? '').replace('DynamoDB_20120810.', '');
      operations.push(operation);
      res.setHeader('content-type', 'application/x-amz-json-1.0');
      if (operation === 'DescribeTable') {
        res.end(JSON.stringify({ Table: table }));
        return;
      }
      res.statusCode = 400;
      res.end(
        JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
          message: 'The conditional request failed',
          Item: oldItem,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, operations, bodies };
}

const key = { ownerId: 'ann', videoId: '6b9b6f2e-3c1d-4e5f-8a7b-9c0d1e2f3a4b' };

it('explains a failed update from the returned old item: StaleEtag, with no read', async () => {
  const fake = await failingConditions({ ownerId: { S: 'ann' }, videoId: { S: key.videoId }, version: { N: '4' }, status: { S: 'uploaded' } });
  const client = testClient(fake.endpoint);
  const store = await DynamoVideoStore.open({ table: 'videos', ownerIndex: 'OwnerIndex', client });
  await expect(store.update(key, { fields: { title: 'x' }, updateTime: new Date() }, { version: 3 })).rejects.toBeInstanceOf(StaleEtag);
  await expect(store.delete(key, { version: 3 })).rejects.toBeInstanceOf(StaleEtag);
  expect(fake.operations).toEqual(['DescribeTable', 'UpdateItem', 'DeleteItem']);
  client.destroy();
});

it('explains a refused transition of an older item (no version, lowercase status) from the returned old item', async () => {
  const fake = await failingConditions({ ownerId: { S: 'ann' }, videoId: { S: key.videoId }, status: { S: 'completed' } });
  const client = testClient(fake.endpoint);
  const store = await DynamoVideoStore.open({ table: 'videos', ownerIndex: 'OwnerIndex', client });
  const refused = store.update(key, { fields: { status: 'TRANSCODING' }, updateTime: new Date() }, { version: 0, statusIn: allowedFrom('TRANSCODING') });
  await expect(refused).rejects.toBeInstanceOf(IllegalTransition);
  await expect(refused).rejects.toThrow('cannot change from COMPLETED to TRANSCODING');
  expect(fake.operations).toEqual(['DescribeTable', 'UpdateItem']);
  client.destroy();
});

it.each([
  { stored: { N: '7' }, named: '7' },
  { stored: { M: { word: { S: 'uploaded' } } }, named: 'a map' },
  { stored: { S: 'processing' }, named: 'processing' },
])('refuses a status change from a stored $named at once, from the returned old item, instead of retrying into UNAVAILABLE', async ({ stored, named }) => {
  const fake = await failingConditions({ ownerId: { S: 'ann' }, videoId: { S: key.videoId }, status: stored });
  const client = testClient(fake.endpoint);
  const store = await DynamoVideoStore.open({ table: 'videos', ownerIndex: 'OwnerIndex', client });
  const refused = store.update(key, { fields: { status: 'UPLOADED' }, updateTime: new Date() }, { statusIn: allowedFrom('UPLOADED') });
  await expect(refused).rejects.toBeInstanceOf(IllegalTransition);
  await expect(refused).rejects.toThrow(`status: cannot change from ${named} to UPLOADED`);
  expect(fake.operations).toEqual(['DescribeTable', 'UpdateItem']);
  client.destroy();
});

it('retries a status change once, naming the exact stored word, when the old item holds a spelling the reader accepts', async () => {
  // Every condition fails here, so the second attempt fails too; what counts is that the
  // rarer spelling was recognised as allowed (a retry, not a refusal) and named exactly.
  const fake = await failingConditions({ ownerId: { S: 'ann' }, videoId: { S: key.videoId }, status: { S: 'uPlOaDeD' } });
  const client = testClient(fake.endpoint);
  const store = await DynamoVideoStore.open({ table: 'videos', ownerIndex: 'OwnerIndex', client });
  const outcome = await store
    .update(key, { fields: { status: 'TRANSCODING' }, updateTime: new Date() }, { statusIn: allowedFrom('TRANSCODING') })
    .catch((err: unknown) => err);
  expect(outcome).not.toBeInstanceOf(IllegalTransition);
  expect(fake.operations).toEqual(['DescribeTable', 'UpdateItem', 'UpdateItem', 'UpdateItem']);
  expect(fake.bodies[2]).toContain('"uPlOaDeD"');
  expect(fake.bodies[1]).not.toContain('"uPlOaDeD"');
  client.destroy();
});
