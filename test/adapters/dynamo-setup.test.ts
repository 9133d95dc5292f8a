// Start-up checks (SPEC §5): open() refuses a missing or wrongly shaped table or index
// with one line naming what to fix, and warns once on the production OwnerIndex.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTable } from '../../src/adapters/dynamo/create-table.ts';
import { DynamoSetupError } from '../../src/adapters/dynamo/errors.ts';
import { DynamoVideoStore } from '../../src/adapters/dynamo/store.ts';
import { startDynalite, testClient, type RunningDynalite } from '../support/dynalite.ts';
import { openStore, uniqueNames } from './dynamo-fixtures.ts';

let dynamo: RunningDynalite;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});

async function openFails(options: { table: string; ownerIndex: string }): Promise<DynamoSetupError> {
  const failure = await DynamoVideoStore.open({ ...options, client: testClient(dynamo.endpoint) }).catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(DynamoSetupError);
  expect(String((failure as Error).message)).not.toContain('\n');
  return failure as DynamoSetupError;
}

describe('DynamoVideoStore.open', () => {
  it('names the missing table, the endpoint and the fix', async () => {
    const failure = await openFails({ table: 'no_such_table', ownerIndex: 'OwnerIndex' });
    expect(failure.message).toBe(
      `DynamoDB table "no_such_table" not found at ${dynamo.endpoint}; create it with \`videosvc dynamo create-table\` or set DYNAMO_TABLE`,
    );
  });

  it('names a missing index and the indexes that exist', async () => {
    const names = uniqueNames();
    await createTable(testClient(dynamo.endpoint), names);
    const failure = await openFails({ table: names.table, ownerIndex: 'ByOwner' });
    expect(failure.message).toContain(`has no index "ByOwner" (indexes: OwnerIndex, OwnerStatusIndex, WorkIndex)`);
    expect(failure.message).toContain('DYNAMO_OWNER_INDEX');
  });

  it('refuses a table whose keys are not ownerId/videoId, and an index keyed otherwise', async () => {
    const names = uniqueNames();
    const client = testClient(dynamo.endpoint);
    await client.send(
      new CreateTableCommand({
        TableName: names.table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'id', AttributeType: 'S' },
          { AttributeName: 'ownerId', AttributeType: 'S' },
          { AttributeName: 'title', AttributeType: 'S' },
        ],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'OwnerIndex',
            KeySchema: [{ AttributeName: 'ownerId', KeyType: 'HASH' }, { AttributeName: 'title', KeyType: 'RANGE' }],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
    expect((await openFails(names)).message).toContain('has keys (id HASH); expected ownerId HASH, videoId RANGE');
  });

  it('names an unreachable endpoint', async () => {
    const failure = await DynamoVideoStore.open({ table: 'videos', ownerIndex: 'OwnerIndex', client: testClient('http://127.0.0.1:9') }).catch(
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(DynamoSetupError);
    expect((failure as Error).message).toBe('DynamoDB at http://127.0.0.1:9 is unreachable; check AWS_REGION and AWS_ENDPOINT_URL_DYNAMODB');
  });

  it('names a missing AWS region', async () => {
    const saved = { ...process.env };
    for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE']) delete process.env[name];
    process.env.AWS_CONFIG_FILE = '/nonexistent/videosvc-test-aws-config';
    try {
      const client = new DynamoDBClient({ endpoint: dynamo.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
      const failure = await DynamoVideoStore.open({ table: 'videos', ownerIndex: 'OwnerIndex', client }).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(DynamoSetupError);
      expect((failure as Error).message).toBe('no AWS region for DynamoDB: set AWS_REGION');
    } finally {
      process.env = saved;
    }
  });

  it('uses the indexes create-table makes silently, and warns once per missing index naming the command that adds it', async () => {
    const quiet: string[] = [];
    const full = (await openStore(dynamo.endpoint, 'owner-time-and-status', quiet)).store;
    expect([full.listMode, full.filterMode]).toEqual(['owner-time-index', 'owner-status-index']);
    expect(quiet).toEqual([]);
    const ownerTime: string[] = [];
    const older = (await openStore(dynamo.endpoint, 'owner-time', ownerTime)).store;
    expect([older.listMode, older.filterMode]).toEqual(['owner-time-index', 'filter']);
    expect(ownerTime).toHaveLength(1);
    expect(ownerTime[0]).toContain('has no owner-and-status index "OwnerStatusIndex"');
    expect(ownerTime[0]).toContain('`videosvc dynamo create-index --status`');
    const warnings: string[] = [];
    const production = (await openStore(dynamo.endpoint, 'owner-only', warnings)).store;
    expect([production.listMode, production.filterMode]).toEqual(['owner-partition', 'filter']);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('`videosvc dynamo create-index`');
    expect(warnings[1]).toContain('`videosvc dynamo create-index --status`');
  });
});

describe('createTable', () => {
  it('creates the table once and reports "exists" afterwards', async () => {
    const names = uniqueNames();
    const client = testClient(dynamo.endpoint);
    expect(await createTable(client, names)).toEqual({ ...names, outcome: 'created' });
    expect(await createTable(client, names)).toEqual({ ...names, outcome: 'exists' });
    expect((await DynamoVideoStore.open({ ...names, client })).listMode).toBe('owner-time-index');
  });
});
