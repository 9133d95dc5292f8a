// `videosvc dynamo create-table`: the table of SPEC §1 with its owner/time index.
import {
  CreateTableCommand,
  ResourceInUseException,
  waitUntilTableExists,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { attributes } from './table-shape.ts';

export interface CreateTableResult {
  readonly table: string;
  readonly ownerIndex: string;
  /** "created" when this call made it, "exists" when it was already there. */
  readonly outcome: 'created' | 'exists';
}

/**
 * Creates the videos table (on-demand billing) with the owner index keyed ownerId HASH +
 * createdAt RANGE, projection ALL; idempotent. Waits until the table is ACTIVE.
 */
export async function createTable(
  client: DynamoDBClient,
  names: { table: string; ownerIndex: string },
  options: { maxWaitSeconds?: number } = {},
): Promise<CreateTableResult> {
  let outcome: CreateTableResult['outcome'] = 'created';
  try {
    await client.send(
      new CreateTableCommand({
        TableName: names.table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: attributes.ownerId, AttributeType: 'S' },
          { AttributeName: attributes.videoId, AttributeType: 'S' },
          { AttributeName: attributes.createdAt, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: attributes.ownerId, KeyType: 'HASH' },
          { AttributeName: attributes.videoId, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: names.ownerIndex,
            KeySchema: [
              { AttributeName: attributes.ownerId, KeyType: 'HASH' },
              { AttributeName: attributes.createdAt, KeyType: 'RANGE' },
            ],
            // ALL, so a list page is served from the index alone (no per-item read).
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
  } catch (err) {
    // An existing table is left exactly as it is; open() then checks its shape.
    if (!(err instanceof ResourceInUseException)) throw err;
    outcome = 'exists';
  }
  await waitUntilTableExists(
    { client, maxWaitTime: options.maxWaitSeconds ?? 300, minDelay: 1 },
    { TableName: names.table },
  );
  return { table: names.table, ownerIndex: names.ownerIndex, outcome };
}
