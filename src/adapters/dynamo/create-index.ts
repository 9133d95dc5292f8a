// `videosvc dynamo create-index [--status]`: adds the owner/time index (for deployments
// whose OwnerIndex has no sort key) or the owner-and-status index to an existing table
// online (UpdateTable), SPEC §1. Both are keyed <hash> + createdAt, projection ALL.
import { DescribeTableCommand, UpdateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { attributes, defaultOwnerTimeIndex } from './table-shape.ts';

export interface CreateIndexResult {
  readonly indexName: string;
  /** "created" when this call asked for it, "exists" when the table already had it. */
  readonly outcome: 'created' | 'exists';
  /** CREATING (backfilling), ACTIVE, … as DynamoDB reports it. */
  readonly status: string;
  /** What the operator sets once the index is ACTIVE. */
  readonly next: string;
}

/**
 * Creates a GSI `indexName` (ownerId HASH, createdAt RANGE, projection ALL) on `table`
 * if it is missing; idempotent. Does not wait for the backfill — reports the status.
 */
export async function createOwnerTimeIndex(
  client: DynamoDBClient,
  options: { table: string; indexName?: string },
): Promise<CreateIndexResult> {
  const indexName = options.indexName ?? defaultOwnerTimeIndex;
  const next = `when the index is ACTIVE, set DYNAMO_OWNER_INDEX=${indexName} (or the SSM parameter dynamoOwnerIndex) and restart the service`;
  return addIndex(client, { table: options.table, indexName, hash: attributes.ownerId, next, rename: 'choose another --name' });
}

/**
 * Creates the owner-and-status GSI `indexName` (ownerStatus HASH, createdAt RANGE,
 * projection ALL) on `table` if it is missing; idempotent; reports the status. The index
 * holds only items that carry `ownerStatus`, so items written before this service wrote
 * it need `videosvc dynamo backfill-status`, which the next step names.
 */
export async function createStatusIndex(client: DynamoDBClient, options: { table: string; indexName: string }): Promise<CreateIndexResult> {
  const next = 'run `videosvc dynamo backfill-status` (items written before the index lack its key), then restart the service once the index is ACTIVE';
  return addIndex(client, { table: options.table, indexName: options.indexName, hash: attributes.ownerStatus, next, rename: 'set DYNAMO_STATUS_INDEX to another name' });
}

async function addIndex(
  client: DynamoDBClient,
  options: { table: string; indexName: string; hash: string; next: string; rename: string },
): Promise<CreateIndexResult> {
  const { indexName, next } = options;
  const described = await client.send(new DescribeTableCommand({ TableName: options.table }));
  const existing = described.Table?.GlobalSecondaryIndexes?.find((index) => index.IndexName === indexName);
  if (existing) {
    const hash = existing.KeySchema?.find((key) => key.KeyType === 'HASH')?.AttributeName;
    const range = existing.KeySchema?.find((key) => key.KeyType === 'RANGE')?.AttributeName;
    // open() refuses an owner/time index that does not project ALL, so reporting such an
    // index as "exists" would send the operator in a circle.
    if (hash !== options.hash || range !== attributes.createdAt || existing.Projection?.ProjectionType !== 'ALL') {
      throw new Error(`index "${indexName}" already exists on "${options.table}" with other keys or projection; ${options.rename}`);
    }
    return { indexName, outcome: 'exists', status: existing.IndexStatus ?? 'UNKNOWN', next };
  }
  const result = await client.send(
    new UpdateTableCommand({
      TableName: options.table,
      // Only attributes used as keys are declared; createdAt becomes one here.
      AttributeDefinitions: [
        { AttributeName: options.hash, AttributeType: 'S' },
        { AttributeName: attributes.createdAt, AttributeType: 'S' },
      ],
      GlobalSecondaryIndexUpdates: [
        {
          Create: {
            IndexName: indexName,
            KeySchema: [
              { AttributeName: options.hash, KeyType: 'HASH' },
              { AttributeName: attributes.createdAt, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
            // Provisioned tables need throughput for the new index; on-demand tables must not get it.
            ...(described.Table?.BillingModeSummary?.BillingMode === 'PAY_PER_REQUEST' ||
            described.Table?.ProvisionedThroughput?.ReadCapacityUnits === undefined ||
            described.Table?.ProvisionedThroughput?.ReadCapacityUnits === 0
              ? {}
              : {
                  ProvisionedThroughput: {
                    ReadCapacityUnits: described.Table.ProvisionedThroughput.ReadCapacityUnits,
                    WriteCapacityUnits: described.Table.ProvisionedThroughput.WriteCapacityUnits ?? 1,
                  },
                }),
          },
        },
      ],
    }),
  );
  const created = result.TableDescription?.GlobalSecondaryIndexes?.find((index) => index.IndexName === indexName);
  return { indexName, outcome: 'created', status: created?.IndexStatus ?? 'CREATING', next };
}
