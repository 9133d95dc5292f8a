// `videosvc dynamo create-index [--status | --work]`: adds the owner/time index (for
// deployments whose OwnerIndex has no sort key), the owner-and-status index (SPEC §1) or
// the work index (SPEC §9) to an existing table online (UpdateTable). The first two are
// keyed <hash> + createdAt, projection ALL; the work index is work-index.ts's.
import {
  DescribeTableCommand,
  UpdateTableCommand,
  type AttributeDefinition,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type GlobalSecondaryIndexDescription,
} from '@aws-sdk/client-dynamodb';
import { attributes, defaultOwnerTimeIndex } from './table-shape.ts';
import { workIndexAttributeDefinitions, workIndexAttributes, workIndexDefinition, workIndexProjection } from './work-index.ts';

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
  return addIndex(client, { table: options.table, ...byCreatedAt(indexName, attributes.ownerId), next, rename: 'choose another --name' });
}

/**
 * Creates the owner-and-status GSI `indexName` (ownerStatus HASH, createdAt RANGE,
 * projection ALL) on `table` if it is missing; idempotent; reports the status. The index
 * holds only items that carry `ownerStatus`, so items written before this service wrote
 * it need `videosvc dynamo backfill-status`, which the next step names.
 */
export async function createStatusIndex(client: DynamoDBClient, options: { table: string; indexName: string }): Promise<CreateIndexResult> {
  const next = 'run `videosvc dynamo backfill-status` (items written before the index lack its key), then restart the service once the index is ACTIVE';
  return addIndex(client, {
    table: options.table,
    ...byCreatedAt(options.indexName, attributes.ownerStatus),
    next,
    rename: 'set DYNAMO_STATUS_INDEX to another name',
  });
}

/**
 * Creates the work index `indexName` (workShard HASH, readyAt RANGE, projecting what a
 * claim reads, work-index.ts) on `table` if it is missing; idempotent; reports the status.
 * Only items carrying its keys are in it, so items written before this service wrote
 * them need `videosvc dynamo backfill-work`, which the next step names.
 */
export async function createWorkIndex(client: DynamoDBClient, options: { table: string; indexName: string }): Promise<CreateIndexResult> {
  const next =
    'run `videosvc dynamo backfill-work` (items written before the index lack its keys and are not claimable until then), then restart the service once the index is ACTIVE';
  return addIndex(client, {
    table: options.table,
    definition: workIndexDefinition(options.indexName),
    attributeDefinitions: [...workIndexAttributeDefinitions],
    fits: (existing) => {
      const projected = new Set(existing.Projection?.NonKeyAttributes ?? []);
      const type = existing.Projection?.ProjectionType;
      return (
        keyOf(existing, 'HASH') === workIndexAttributes.shard &&
        keyOf(existing, 'RANGE') === workIndexAttributes.readyAt &&
        (type === 'ALL' || (type === 'INCLUDE' && workIndexProjection.every((attribute) => projected.has(attribute))))
      );
    },
    next,
    rename: 'set DYNAMO_WORK_INDEX to another name',
  });
}

function keyOf(index: GlobalSecondaryIndexDescription, type: 'HASH' | 'RANGE'): string | undefined {
  return index.KeySchema?.find((key) => key.KeyType === type)?.AttributeName;
}

/** An index keyed `hash` + createdAt, projection ALL, and what an existing one must match. */
function byCreatedAt(indexName: string, hash: string): Pick<IndexToAdd, 'definition' | 'attributeDefinitions' | 'fits'> {
  return {
    definition: {
      IndexName: indexName,
      KeySchema: [
        { AttributeName: hash, KeyType: 'HASH' },
        { AttributeName: attributes.createdAt, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
    // Only attributes used as keys are declared; createdAt becomes one here.
    attributeDefinitions: [
      { AttributeName: hash, AttributeType: 'S' },
      { AttributeName: attributes.createdAt, AttributeType: 'S' },
    ],
    // open() refuses such an index that does not project ALL, so reporting it as "exists"
    // would send the operator in a circle.
    fits: (existing) => keyOf(existing, 'HASH') === hash && keyOf(existing, 'RANGE') === attributes.createdAt && existing.Projection?.ProjectionType === 'ALL',
  };
}

interface IndexToAdd {
  readonly table: string;
  readonly definition: GlobalSecondaryIndex;
  readonly attributeDefinitions: AttributeDefinition[];
  /** Whether an existing index of that name is the one wanted. */
  readonly fits: (existing: GlobalSecondaryIndexDescription) => boolean;
  readonly next: string;
  readonly rename: string;
}

async function addIndex(client: DynamoDBClient, options: IndexToAdd): Promise<CreateIndexResult> {
  const { next } = options;
  const indexName = options.definition.IndexName!;
  const described = await client.send(new DescribeTableCommand({ TableName: options.table }));
  const existing = described.Table?.GlobalSecondaryIndexes?.find((index) => index.IndexName === indexName);
  if (existing) {
    if (!options.fits(existing)) {
      throw new Error(`index "${indexName}" already exists on "${options.table}" with other keys or projection; ${options.rename}`);
    }
    return { indexName, outcome: 'exists', status: existing.IndexStatus ?? 'UNKNOWN', next };
  }
  const result = await client.send(
    new UpdateTableCommand({
      TableName: options.table,
      AttributeDefinitions: options.attributeDefinitions,
      GlobalSecondaryIndexUpdates: [
        {
          Create: {
            ...options.definition,
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
