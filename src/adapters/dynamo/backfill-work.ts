// `videosvc dynamo backfill-work`: gives every item the work index attributes it should
// have (work-index.ts) — the older application's `uploaded` items and those an earlier
// version of this service wrote lack them, so no claim can find them — and takes them off
// items that should not have them (a writer that does not know the index changed the
// status). A paginated Scan, the one place a Scan is right (SPEC §7).
//
// What an item should have follows the one rule of claim.ts, read off the stored item: an
// UPLOADED video waits from its last update (updatedAt, else createdAt: the time it is
// known to have been UPLOADED by) unless it already has a place; a TRANSCODING video under
// a claim waits for the claim's expiry; any other has none. Each fix is a conditional
// UpdateItem holding only while every attribute it was derived from is as the Scan read
// it, so a write racing the backfill is never undone (its writer keeps the attributes
// itself). The video is not changed (no version, no update time). Idempotent: a second
// run finds nothing to fix.
import { ScanCommand, UpdateCommand, type DynamoDBDocumentClient, type NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { documentClient } from './client.ts';
import { errorName } from './errors.ts';
import { fixScanned, type BackfillProgress } from './fix-scanned.ts';
import { fromItem, workAttributeNames, type Item } from './item.ts';
import { readStatus, statusAttribute } from './status.ts';
import { sortableTime, workIndexAttributes, workShardOf } from './work-index.ts';

/** A backfill's counts (fix-scanned.ts); `updated` counts items whose work index attributes this run wrote or removed. */
export type BackfillWorkProgress = BackfillProgress;

/** The attributes the wanted index attributes are derived from, plus those attributes themselves. */
const readAttributes = [
  'ownerId',
  'videoId',
  'version',
  'createdAt',
  'updatedAt',
  statusAttribute,
  workAttributeNames.claimWorker,
  workAttributeNames.claimExpiresAt,
  workIndexAttributes.readyAt,
  workIndexAttributes.shard,
];

const sortableText = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Scans `table` and writes every missing, stale or stray work index attribute; returns the counts. */
export async function backfillWork(
  client: DynamoDBClient,
  table: string,
  options: { onProgress?: (progress: BackfillWorkProgress) => void; pageSize?: number } = {},
): Promise<BackfillWorkProgress> {
  const doc = documentClient(client);
  const names = Object.fromEntries(readAttributes.map((attribute, index) => [`#a${index}`, attribute]));
  return fixScanned<Item, Item>({
    async readPage(startKey) {
      const page = await doc.send(
        new ScanCommand({
          TableName: table,
          ProjectionExpression: Object.keys(names).join(', '),
          ExpressionAttributeNames: names,
          ExclusiveStartKey: startKey,
          Limit: options.pageSize,
        }),
      );
      // Owner ids cannot hold `#` (SPEC §1): such items are the service's own markers.
      const items = (page.Items ?? []).filter((item) => typeof item.ownerId === 'string' && !item.ownerId.includes('#'));
      return { items, next: page.LastEvaluatedKey };
    },
    needsFix: (item) => !isAsWanted(item),
    fix: (item) => fix(doc, table, item),
    onProgress: options.onProgress,
  });
}

/** The work index attributes the stored item should carry; undefined when it should carry none. */
function wanted(item: Item): { readyAt: string; shard: number } | undefined {
  const status = readStatus(item[statusAttribute]);
  const video = fromItem(item);
  const shard = workShardOf(video.ownerId, video.videoId);
  if (status.known && status.status === 'UPLOADED') {
    const stored = item[workIndexAttributes.readyAt];
    return { readyAt: typeof stored === 'string' && sortableText.test(stored) ? stored : sortableTime(video.updateTime), shard };
  }
  if (status.known && status.status === 'TRANSCODING' && video.claim !== undefined) return { readyAt: sortableTime(video.claim.expireTime), shard };
  return undefined;
}

function isAsWanted(item: Item): boolean {
  const want = wanted(item);
  const readyAt = item[workIndexAttributes.readyAt];
  const shard = item[workIndexAttributes.shard];
  if (want === undefined) return readyAt === undefined && shard === undefined;
  return readyAt === want.readyAt && shard !== undefined && Number(String(shard)) === want.shard;
}

/** Writes the item's wanted attributes if everything they derive from is as scanned; false when it changed. */
async function fix(doc: DynamoDBDocumentClient, table: string, item: Item): Promise<boolean> {
  const want = wanted(item);
  const names: Record<string, string> = { '#readyAt': workIndexAttributes.readyAt, '#workShard': workIndexAttributes.shard };
  const values: Record<string, NativeAttributeValue> = {};
  const clauses = ['attribute_exists(#a1)'];
  for (const [index, attribute] of readAttributes.entries()) {
    if (attribute === 'ownerId' || attribute === 'videoId') continue;
    const placeholder = `#a${index}`;
    names[placeholder] = attribute;
    const seen: unknown = item[attribute];
    if (seen === undefined) clauses.push(`attribute_not_exists(${placeholder})`);
    else if (typeof seen === 'string' || attribute === 'version' || attribute === workIndexAttributes.shard) {
      values[`:a${index}`] = seen as NativeAttributeValue;
      clauses.push(`${placeholder} = :a${index}`);
    } else {
      // A status that is no string reads as FAILED whatever it holds (dynalite cannot compare maps).
      values[':stringType'] = 'S';
      clauses.push(`NOT attribute_type(${placeholder}, :stringType)`);
    }
  }
  names['#a1'] = 'videoId';
  let update = 'REMOVE #readyAt, #workShard';
  if (want !== undefined) {
    values[':readyAt'] = want.readyAt;
    values[':workShard'] = want.shard;
    update = 'SET #readyAt = :readyAt, #workShard = :workShard';
  }
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { ownerId: item.ownerId, videoId: item.videoId },
        UpdateExpression: update,
        ConditionExpression: clauses.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: Object.keys(values).length > 0 ? values : undefined,
      }),
    );
    return true;
  } catch (err) {
    if (errorName(err) === 'ConditionalCheckFailedException') return false;
    throw err;
  }
}
