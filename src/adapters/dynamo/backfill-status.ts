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
import { backfillMarkerKey, ownerStatusAttribute, ownerStatusKeyOfStored } from './owner-status.ts';
import { statusAttribute, statusFromAttributeValue } from './status.ts';

export interface BackfillProgress {
  /** Items read and dealt with so far (the marker not counted). */
  readonly scanned: number;
  /** Items whose key this run wrote. */
  readonly updated: number;
  /** Items that changed while being fixed; their writer keeps the key (a re-run checks them). */
  readonly raced: number;
}

// Fixes run a few at a time: enough to keep a page moving, few enough not to throttle.
const concurrency = 8;

type RawItem = Record<string, AttributeValue>;

/** Scans `table`, writes every missing or stale `ownerStatus`, then the marker; returns the counts. */
export async function backfillStatus(
  client: DynamoDBClient,
  table: string,
  options: { onProgress?: (progress: BackfillProgress) => void; pageSize?: number } = {},
): Promise<BackfillProgress> {
  let scanned = 0;
  let updated = 0;
  let raced = 0;
  let startKey: RawItem | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: table,
        ProjectionExpression: '#ownerId, #videoId, #status, #ownerStatus',
        ExpressionAttributeNames: { '#ownerId': 'ownerId', '#videoId': 'videoId', '#status': statusAttribute, '#ownerStatus': ownerStatusAttribute },
        ExclusiveStartKey: startKey,
        Limit: options.pageSize,
      }),
    );
    const videos = (page.Items ?? []).filter((item) => item.ownerId?.S !== backfillMarkerKey.ownerId);
    const fixes = videos.filter((item) => item.ownerId?.S !== undefined && item.ownerStatus?.S !== wantedKey(item));
    // Those needing no fix are dealt with at once; the rest count as their writes finish.
    // Reported per group of writes, not only per page: a 1 MB page can hold thousands of
    // items, and the count would stand still meanwhile.
    let dealtWith = scanned + videos.length - fixes.length;
    scanned += videos.length;
    for (let start = 0; start < fixes.length; start += concurrency) {
      const outcomes = await Promise.all(fixes.slice(start, start + concurrency).map((item) => fix(client, table, item)));
      for (const outcome of outcomes) outcome ? updated++ : raced++;
      dealtWith += outcomes.length;
      if (dealtWith < scanned) options.onProgress?.({ scanned: dealtWith, updated, raced });
    }
    startKey = page.LastEvaluatedKey;
    options.onProgress?.({ scanned, updated, raced });
  } while (startKey !== undefined);
  await writeBackfillMarker(client, table);
  return { scanned, updated, raced };
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
