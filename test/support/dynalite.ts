// Starts dynalite (an in-process, in-memory DynamoDB-compatible server) on loopback for
// tests and benches, and creates the videos table in one of its shapes.
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoClient } from '../../src/adapters/dynamo/client.ts';
import { createTable } from '../../src/adapters/dynamo/create-table.ts';
import { defaultWorkIndex, workIndexAttributeDefinitions, workIndexDefinition } from '../../src/adapters/dynamo/work-index.ts';

// dynalite ships CommonJS without types; this is the one function we call.
const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;

export interface RunningDynalite {
  readonly endpoint: string;
  readonly port: number;
  /** Stops the server, dropping open connections (its in-memory data is lost). */
  stop(): Promise<void>;
  /** Listens again on the same port with an empty store (dynalite forgets data on stop). */
  restart(): Promise<void>;
}

/** Starts dynalite on 127.0.0.1 (port 0 unless given) with instant table create/delete. */
export async function startDynalite(port = 0): Promise<RunningDynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const listen = (onPort: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(onPort, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(port);
  const actualPort = (server.address() as AddressInfo).port;
  let running = true;
  const stop = async () => {
    if (!running) return;
    running = false;
    await new Promise<void>((resolve, reject) => {
      server.close((err?: Error) => (err ? reject(err) : resolve()));
      // Keep-alive connections from SDK clients would otherwise hold close() open.
      server.closeAllConnections();
    });
  };
  return {
    endpoint: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    stop,
    async restart() {
      await stop();
      await listen(actualPort);
      running = true;
    },
  };
}

/** A client for a loopback endpoint with explicit fake credentials (no environment is read). */
export function testClient(endpoint: string): DynamoDBClient {
  return createDynamoClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

/**
 * The table shapes: what `videosvc dynamo create-table` makes (owner/time index plus the
 * owner-and-status index, marked as holding every video); the owner/time index alone
 * (what create-table made before the owner-and-status index existed); or production's
 * hash-only `OwnerIndex`. Each has the work index too (named `workIndex`, default
 * WorkIndex), so claims run on every shape, unless `workIndex` is false: the table as it
 * was before work claiming.
 */
export type IndexShape = 'owner-time-and-status' | 'owner-time' | 'owner-only';

/** Creates the videos table with its indexes in the given shape, and waits until all are ACTIVE. */
export async function createVideosTable(
  client: DynamoDBClient,
  names: { table: string; ownerIndex: string; statusIndex?: string },
  shape: IndexShape,
  options: { workIndex?: string | false } = {},
): Promise<void> {
  await createInShape(client, names, shape, options);
  await untilActive(client, names.table);
}

/**
 * Waits until the table and every index of it are ACTIVE. dynalite (createTableMs 0) flips
 * them from CREATING a moment after answering CreateTable; on a busy machine a store
 * opened at once could see an index still CREATING and refuse claims.
 */
async function untilActive(client: DynamoDBClient, table: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    const indexes = Table?.GlobalSecondaryIndexes ?? [];
    if (Table?.TableStatus === 'ACTIVE' && indexes.every((index) => index.IndexStatus === 'ACTIVE')) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`table ${table} did not become ACTIVE`);
}

async function createInShape(
  client: DynamoDBClient,
  names: { table: string; ownerIndex: string; statusIndex?: string },
  shape: IndexShape,
  options: { workIndex?: string | false } = {},
): Promise<void> {
  const workIndex = options.workIndex ?? defaultWorkIndex;
  const work =
    workIndex === false
      ? { definitions: [], indexes: [] }
      : { definitions: [...workIndexAttributeDefinitions], indexes: [workIndexDefinition(workIndex)] };
  if (shape === 'owner-time-and-status') {
    if (workIndex === false) throw new Error('create-table always makes the work index');
    await createTable(client, { ...names, workIndex });
    return;
  }
  if (shape === 'owner-time') {
    await client.send(
      new CreateTableCommand({
        TableName: names.table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'ownerId', AttributeType: 'S' },
          { AttributeName: 'videoId', AttributeType: 'S' },
          { AttributeName: 'createdAt', AttributeType: 'S' },
          ...work.definitions,
        ],
        KeySchema: [
          { AttributeName: 'ownerId', KeyType: 'HASH' },
          { AttributeName: 'videoId', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: names.ownerIndex,
            KeySchema: [
              { AttributeName: 'ownerId', KeyType: 'HASH' },
              { AttributeName: 'createdAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          ...work.indexes,
        ],
      }),
    );
    return;
  }
  // The layout already in production: OwnerIndex has ownerId as its only key.
  await client.send(
    new CreateTableCommand({
      TableName: names.table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'ownerId', AttributeType: 'S' },
        { AttributeName: 'videoId', AttributeType: 'S' },
        ...work.definitions,
      ],
      KeySchema: [
        { AttributeName: 'ownerId', KeyType: 'HASH' },
        { AttributeName: 'videoId', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: names.ownerIndex,
          KeySchema: [{ AttributeName: 'ownerId', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
        ...work.indexes,
      ],
    }),
  );
}

/** Deletes a table (dynalite deletes instantly with deleteTableMs 0). */
export async function deleteVideosTable(client: DynamoDBClient, table: string): Promise<void> {
  await client.send(new DeleteTableCommand({ TableName: table }));
}
