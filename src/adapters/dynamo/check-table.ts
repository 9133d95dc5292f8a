// Start-up check (SPEC §5): the table and owner index exist with the key schema the
// adapter relies on; otherwise one line naming what to fix, and no half-working start.
import {
  DescribeTableCommand,
  type DynamoDBClient,
  type GlobalSecondaryIndexDescription,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import { missingAwsSetting } from '../aws/failure.ts';
import { checkStatusIndex, type FilterMode } from './check-status-index.ts';
import { checkWorkIndex, type WorkIndexCheck } from './check-work-index.ts';
import { describeEndpoint } from './client.ts';
import { DynamoSetupError, errorName, isUnavailable } from './errors.ts';
import { attributes, defaultStatusIndex } from './table-shape.ts';
import { defaultWorkIndex } from './work-index.ts';

/** How lists are served: from an owner/time index, or by reading the owner's partition. */
export type ListMode = 'owner-time-index' | 'owner-partition';

export interface TableCheck {
  readonly listMode: ListMode;
  readonly filterMode: FilterMode;
  /** Whether claims can run on the work index, and if not, why. */
  readonly work: WorkIndexCheck;
  /** Set when the service works but slower than it should, or without claims; each logged once at start. */
  readonly warnings: readonly string[];
}

/** What one index check says: how lists run, and why slower than they should, if so. */
interface OwnerIndexCheck {
  readonly listMode: ListMode;
  readonly warning?: string;
}

const createIndexHint = 'run `videosvc dynamo create-index` and point DYNAMO_OWNER_INDEX (or the SSM parameter dynamoOwnerIndex) at the new index';

function keyOf(schema: KeySchemaElement[] | undefined, type: 'HASH' | 'RANGE'): string | undefined {
  return schema?.find((element) => element.KeyType === type)?.AttributeName;
}

function describeKeys(schema: KeySchemaElement[] | undefined): string {
  return (schema ?? []).map((element) => `${element.AttributeName} ${element.KeyType}`).join(', ') || 'none';
}

function checkIndex(table: string, index: GlobalSecondaryIndexDescription): OwnerIndexCheck {
  const name = index.IndexName;
  const hash = keyOf(index.KeySchema, 'HASH');
  const range = keyOf(index.KeySchema, 'RANGE');
  if (hash !== attributes.ownerId || (range !== undefined && range !== attributes.createdAt)) {
    throw new DynamoSetupError(
      `DynamoDB index "${name}" on table "${table}" has keys (${describeKeys(index.KeySchema)}); expected ownerId HASH with createdAt RANGE (or no RANGE); ${createIndexHint}`,
    );
  }
  if (range === undefined) {
    return {
      listMode: 'owner-partition',
      warning: `DynamoDB index "${name}" has no createdAt sort key, so every list page reads the owner's whole partition; ${createIndexHint}`,
    };
  }
  if (index.Projection?.ProjectionType !== 'ALL') {
    throw new DynamoSetupError(
      `DynamoDB index "${name}" on table "${table}" projects ${index.Projection?.ProjectionType ?? 'nothing'}; it must project ALL attributes (recreate it with \`videosvc dynamo create-index\`)`,
    );
  }
  if (index.IndexStatus !== undefined && index.IndexStatus !== 'ACTIVE') {
    // A new index is queryable only once backfilled; until then list the slow, correct way.
    return {
      listMode: 'owner-partition',
      warning: `DynamoDB index "${name}" is ${index.IndexStatus}, so lists read whole partitions until the service restarts after it is ACTIVE`,
    };
  }
  return { listMode: 'owner-time-index' };
}

/**
 * DescribeTable, then checks keys (ownerId HASH, videoId RANGE), the owner index, the
 * owner-and-status index (check-status-index.ts) and the work index (check-work-index.ts);
 * throws DynamoSetupError.
 */
export async function checkTable(
  client: DynamoDBClient,
  names: { table: string; ownerIndex: string; statusIndex?: string; workIndex?: string },
): Promise<TableCheck> {
  const { table, ownerIndex } = names;
  let description;
  try {
    description = (await client.send(new DescribeTableCommand({ TableName: table }))).Table;
  } catch (err) {
    const where = await describeEndpoint(client, err);
    if (errorName(err) === 'ResourceNotFoundException') {
      throw new DynamoSetupError(
        `DynamoDB table "${table}" not found at ${where}; create it with \`videosvc dynamo create-table\` or set DYNAMO_TABLE`,
        { cause: err },
      );
    }
    const missing = missingAwsSetting(err, 'for DynamoDB');
    if (missing !== undefined) throw new DynamoSetupError(missing, { cause: err });
    const reason = isUnavailable(err) ? 'is unreachable' : `refused DescribeTable (${errorName(err) ?? 'unknown error'})`;
    throw new DynamoSetupError(`DynamoDB at ${where} ${reason}; check AWS_REGION and AWS_ENDPOINT_URL_DYNAMODB`, { cause: err });
  }
  if (keyOf(description?.KeySchema, 'HASH') !== attributes.ownerId || keyOf(description?.KeySchema, 'RANGE') !== attributes.videoId) {
    throw new DynamoSetupError(
      `DynamoDB table "${table}" has keys (${describeKeys(description?.KeySchema)}); expected ownerId HASH, videoId RANGE — set DYNAMO_TABLE to the videos table`,
    );
  }
  const index = description?.GlobalSecondaryIndexes?.find((candidate) => candidate.IndexName === ownerIndex);
  if (!index) {
    const known = description?.GlobalSecondaryIndexes?.map((candidate) => candidate.IndexName).join(', ') || 'none';
    throw new DynamoSetupError(
      `DynamoDB table "${table}" has no index "${ownerIndex}" (indexes: ${known}); set DYNAMO_OWNER_INDEX or run \`videosvc dynamo create-index\``,
    );
  }
  const owner = checkIndex(table, index);
  const status = await checkStatusIndex(client, description, { table, statusIndex: names.statusIndex ?? defaultStatusIndex });
  const work = checkWorkIndex(description, { table, workIndex: names.workIndex ?? defaultWorkIndex });
  return {
    listMode: owner.listMode,
    filterMode: status.filterMode,
    work,
    warnings: [owner.warning, status.warning, work.warning].filter((warning) => warning !== undefined),
  };
}
