// Newest-first listing from the owner/time index (ownerId HASH, createdAt RANGE): one
// Query per unfiltered page, however deep (keyset on createdAt, never an offset).
//
// Ties: a GSI keeps no defined order among items with equal createdAt, but the contract
// orders them by videoId descending. Items before the last createdAt read are complete
// and can be sorted in memory; only when the page boundary falls inside a group of equal
// createdAt is that whole group read (one more Query, rare: same millisecond).
import { QueryCommand, type DynamoDBDocumentClient, type NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import type { ListPage, ListQuery } from '../../domain/ports.ts';
import type { Video } from '../../domain/video.ts';
import { statusFilter } from './conditions.ts';
import { fromItem, type Item } from './item.ts';
import { matches, takePage } from './list-order.ts';

// DynamoDB's largest useful Limit; later rounds of a filtered page grow towards it.
const maxLimit = 1000;

export interface IndexTarget {
  readonly table: string;
  readonly index: string;
}

function baseQuery(target: IndexTarget, query: ListQuery, keyCondition: string, boundaryValue: string) {
  const filter = query.status === undefined ? undefined : statusFilter(query.status);
  return {
    TableName: target.table,
    IndexName: target.index,
    KeyConditionExpression: `#ownerId = :ownerId AND ${keyCondition}`,
    FilterExpression: filter?.condition,
    ExpressionAttributeNames: { '#ownerId': 'ownerId', '#createdAt': 'createdAt', ...filter?.names },
    ExpressionAttributeValues: { ':ownerId': query.ownerId, ':createdAt': boundaryValue, ...filter?.values },
    ScanIndexForward: false,
  };
}

/** One newest-first page from the owner/time index (see the file comment for ties). */
export async function listByIndex(doc: DynamoDBDocumentClient, target: IndexTarget, query: ListQuery): Promise<ListPage> {
  const wanted = query.limit + 1;
  const candidates = new Map<string, Video>();
  const add = (items: Item[] | undefined) => {
    for (const item of items ?? []) {
      const video = fromItem(item);
      if (matches(video, query)) candidates.set(video.videoId, video);
    }
  };
  // Without a cursor, "createdAt <= the far future" keeps one key condition shape.
  const upTo = query.after?.createTime.toISOString() ?? '9999-12-31T23:59:59.999Z';
  let startKey: Record<string, NativeAttributeValue> | undefined;
  // With a cursor, `createdAt <= t` reads the cursor's own row again (it is skipped), so
  // one more row keeps a page at one Query.
  let limit = query.after === undefined ? wanted : wanted + 1;
  for (;;) {
    const page = await doc.send(
      new QueryCommand({ ...baseQuery(target, query, '#createdAt <= :createdAt', upTo), Limit: limit, ExclusiveStartKey: startKey }),
    );
    add(page.Items);
    startKey = page.LastEvaluatedKey;
    if (startKey === undefined) break; // the owner is exhausted: every candidate is known
    if (candidates.size < wanted) {
      limit = Math.min(limit * 2, maxLimit);
      continue;
    }
    // Enough read. Groups newer than the last createdAt evaluated are complete; if they
    // hold the whole page, done, else complete the boundary group too.
    const boundary = String(startKey.createdAt);
    const boundaryTime = new Date(boundary).getTime();
    let complete = 0;
    for (const video of candidates.values()) if (video.createTime.getTime() > boundaryTime) complete++;
    if (complete < query.limit) await readTieGroup(doc, target, query, boundary, add);
    break;
  }
  return takePage(candidates.values(), query);
}

async function readTieGroup(
  doc: DynamoDBDocumentClient,
  target: IndexTarget,
  query: ListQuery,
  createdAt: string,
  add: (items: Item[] | undefined) => void,
): Promise<void> {
  let startKey: Record<string, NativeAttributeValue> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({ ...baseQuery(target, query, '#createdAt = :createdAt', createdAt), ExclusiveStartKey: startKey }),
    );
    add(page.Items);
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
}
