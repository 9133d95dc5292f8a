// `videosvc dynamo create-table`: the table of SPEC §1 with its owner/time index, its
// owner-and-status index and its work index (SPEC §9).
import {
  CreateTableCommand,
  ResourceInUseException,
  waitUntilTableExists,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { writeBackfillMarker } from './backfill-status.ts';
import { attributes, defaultStatusIndex } from './table-shape.ts';
import { defaultWorkIndex, workIndexAttributeDefinitions, workIndexDefinition } from './work-index.ts';

export interface CreateTableResult {
  readonly table: string;
  readonly ownerIndex: string;
  /** "created" when this call made it, "exists" when it was already there. */
  readonly outcome: 'created' | 'exists';
}

/**
 * Creates the videos table (on-demand billing) with the owner index keyed ownerId HASH +
 * createdAt RANGE and the owner-and-status index keyed ownerStatus HASH + createdAt RANGE,
 * both projection ALL, and the work index (work-index.ts); idempotent. Waits until the table is ACTIVE. A table it has just
 * created is empty, so it also writes the marker that says every item carries the
 * owner-and-status key (owner-status.ts); an existing table is left exactly as it is.
 */
export async function createTable(
  client: DynamoDBClient,
  names: { table: string; ownerIndex: string; statusIndex?: string; workIndex?: string },
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
          { AttributeName: attributes.ownerStatus, AttributeType: 'S' },
          ...workIndexAttributeDefinitions,
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
          {
            IndexName: names.statusIndex ?? defaultStatusIndex,
            KeySchema: [
              { AttributeName: attributes.ownerStatus, KeyType: 'HASH' },
              { AttributeName: attributes.createdAt, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          workIndexDefinition(names.workIndex ?? defaultWorkIndex),
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
  if (outcome === 'created') await writeBackfillMarker(client, names.table);
  return { table: names.table, ownerIndex: names.ownerIndex, outcome };
}
