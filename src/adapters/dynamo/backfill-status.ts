// `videosvc dynamo backfill-status`: gives every item the owner-and-status index key it
// should have (owner-status.ts) — items the older application wrote lack it, and one an
// older writer changed the status of may hold a stale one — then writes the marker that
// lets the service use the index (check-status-index.ts). A paginated Scan, the one place
// a Scan is right; each fix is a conditional UpdateItem that holds only while the item's
// status is still the one read, so a write racing the backfill is never undone (its
// writer keeps the key itself). Idempotent: a second run finds nothing to fix.
import {
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { errorName } from './errors.ts';
import { fixScanned, type BackfillProgress } from './fix-scanned.ts';
import { backfillMarkerKey, ownerStatusAttribute, ownerStatusKeyOfStored } from './owner-status.ts';
import { statusAttribute, statusFromAttributeValue } from './status.ts';

export type { BackfillProgress } from './fix-scanned.ts';

type RawItem = Record<string, AttributeValue>;

/** Scans `table`, writes every missing or stale `ownerStatus`, then the marker; returns the counts. */
export async function backfillStatus(
  client: DynamoDBClient,
  table: string,
  options: { onProgress?: (progress: BackfillProgress) => void; pageSize?: number } = {},
): Promise<BackfillProgress> {
  const progress = await fixScanned<RawItem, RawItem>({
    async readPage(startKey) {
      const page = await client.send(
        new ScanCommand({
          TableName: table,
          ProjectionExpression: '#ownerId, #videoId, #status, #ownerStatus',
          ExpressionAttributeNames: { '#ownerId': 'ownerId', '#videoId': 'videoId', '#status': statusAttribute, '#ownerStatus': ownerStatusAttribute },
          ExclusiveStartKey: startKey,
          Limit: options.pageSize,
        }),
      );
      const items = (page.Items ?? []).filter((item) => item.ownerId?.S !== backfillMarkerKey.ownerId);
      return { items, next: page.LastEvaluatedKey };
    },
    needsFix: (item) => item.ownerId?.S !== undefined && item.ownerStatus?.S !== wantedKey(item),
    fix: (item) => fix(client, table, item),
    onProgress: options.onProgress,
  });
  await writeBackfillMarker(client, table);
  return progress;
}

function wantedKey(item: RawItem): string {
  return ownerStatusKeyOfStored(item.ownerId!.S!, statusFromAttributeValue(item.status as Record<string, unknown> | undefined));
}

/** Writes the item's key if its status and key are still what the Scan saw; false when they changed. */
async function fix(client: DynamoDBClient, table: string, item: RawItem): Promise<boolean> {
  const values: Record<string, AttributeValue> = { ':key': { S: wantedKey(item) } };
  const clauses = ['attribute_exists(#videoId)'];
  if (item.status === undefined) clauses.push('attribute_not_exists(#status)');
  else if (item.status.S !== undefined) {
    values[':seenStatus'] = item.status;
    clauses.push('#status = :seenStatus');
  } else {
    // Any value that is no string reads as FAILED, so its type is all the key depends on
    // (and dynalite cannot compare maps or lists for equality).
    values[':seenType'] = { S: Object.keys(item.status)[0]! };
    clauses.push('attribute_type(#status, :seenType)');
  }
  if (item.ownerStatus === undefined) clauses.push('attribute_not_exists(#ownerStatus)');
  else {
    values[':seenKey'] = item.ownerStatus;
    clauses.push('#ownerStatus = :seenKey');
  }
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { ownerId: item.ownerId!, videoId: item.videoId! },
        UpdateExpression: 'SET #ownerStatus = :key',
        ConditionExpression: clauses.join(' AND '),
        ExpressionAttributeNames: { '#videoId': 'videoId', '#status': statusAttribute, '#ownerStatus': ownerStatusAttribute },
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (err) {
    if (errorName(err) === 'ConditionalCheckFailedException') return false;
    throw err;
  }
}

/** The marker (owner-status.ts) that lets `serve` trust the owner-and-status index. */
export async function writeBackfillMarker(client: DynamoDBClient, table: string): Promise<void> {
  await client.send(
    new PutItemCommand({
      TableName: table,
      Item: {
        ownerId: { S: backfillMarkerKey.ownerId },
        videoId: { S: backfillMarkerKey.videoId },
        writtenAt: { S: new Date().toISOString() },
      },
    }),
  );
}
