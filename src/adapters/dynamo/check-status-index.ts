// Start-up check of the owner-and-status index (SPEC §1): whether a status-filtered list
// can be one Query on it, or must read past the owner's other videos as before. Only a
// wrongly shaped index stops start-up; a missing, still-building or not yet backfilled one
// is a warning naming the command that fixes it, and the slower, correct path.
import { GetItemCommand, type DynamoDBClient, type TableDescription } from '@aws-sdk/client-dynamodb';
import { DynamoSetupError, errorName, isUnavailable } from './errors.ts';
import { backfillMarkerKey } from './owner-status.ts';
import { attributes } from './table-shape.ts';

/** How status-filtered lists are served: one Query on the owner-and-status index, or a filter. */
export type FilterMode = 'owner-status-index' | 'filter';

export interface StatusIndexCheck {
  readonly filterMode: FilterMode;
  /** Why the index is not used, naming the fix; logged once at start. */
  readonly warning?: string;
}

const slower = "so a status-filtered list reads past the owner's other videos";

/** Checks the index `statusIndex` in `description`, and the backfill marker (one GetItem) when it is ACTIVE. */
export async function checkStatusIndex(
  client: DynamoDBClient,
  description: TableDescription | undefined,
  names: { table: string; statusIndex: string },
): Promise<StatusIndexCheck> {
  const { table, statusIndex } = names;
  const index = description?.GlobalSecondaryIndexes?.find((candidate) => candidate.IndexName === statusIndex);
  if (index === undefined) {
    return {
      filterMode: 'filter',
      warning: `DynamoDB table "${table}" has no owner-and-status index "${statusIndex}", ${slower}; run \`videosvc dynamo create-index --status\`, then \`videosvc dynamo backfill-status\`, and restart (or set DYNAMO_STATUS_INDEX)`,
    };
  }
  const hash = index.KeySchema?.find((key) => key.KeyType === 'HASH')?.AttributeName;
  const range = index.KeySchema?.find((key) => key.KeyType === 'RANGE')?.AttributeName;
  if (hash !== attributes.ownerStatus || range !== attributes.createdAt || index.Projection?.ProjectionType !== 'ALL') {
    throw new DynamoSetupError(
      `DynamoDB index "${statusIndex}" on table "${table}" is not the owner-and-status index (expected ${attributes.ownerStatus} HASH, ${attributes.createdAt} RANGE, projection ALL); set DYNAMO_STATUS_INDEX to another name for \`videosvc dynamo create-index --status\``,
    );
  }
  if (index.IndexStatus !== undefined && index.IndexStatus !== 'ACTIVE') {
    return {
      filterMode: 'filter',
      warning: `DynamoDB index "${statusIndex}" is ${index.IndexStatus}, ${slower} until the service restarts after it is ACTIVE`,
    };
  }
  if (!(await hasBackfillMarker(client, table))) {
    return {
      filterMode: 'filter',
      warning: `DynamoDB index "${statusIndex}" may lack videos written before it existed, ${slower}; run \`videosvc dynamo backfill-status\` and restart`,
    };
  }
  return { filterMode: 'owner-status-index' };
}

async function hasBackfillMarker(client: DynamoDBClient, table: string): Promise<boolean> {
  try {
    const result = await client.send(
      new GetItemCommand({
        TableName: table,
        Key: { ownerId: { S: backfillMarkerKey.ownerId }, videoId: { S: backfillMarkerKey.videoId } },
        ConsistentRead: true,
        ProjectionExpression: '#v',
        ExpressionAttributeNames: { '#v': attributes.videoId },
      }),
    );
    return result.Item !== undefined;
  } catch (err) {
    const why = isUnavailable(err) ? 'did not answer a read of' : `refused a read of (${errorName(err) ?? 'unknown error'})`;
    throw new DynamoSetupError(`DynamoDB ${why} table "${table}" at start-up; check the endpoint and the service's permissions`, { cause: err });
  }
}
