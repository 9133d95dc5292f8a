// Newest-first listing from the owner/time index (ownerId HASH, createdAt RANGE): one
// Query per unfiltered page in the common case, however deep (keyset on createdAt).
//
// The index orders createdAt as strings. For the service's own "…:SS.mmmZ" that is time
// order, but the older application may have written "…:SSZ" (no milliseconds), which
// sorts above every "…:SS.mmmZ" of the same second although as a time it is the oldest
// of it. What holds for every spelling is the order of whole seconds (the first 19
// characters), so this file reasons in two steps:
// - Ties and odd spellings: a GSI keeps no defined order among equal createdAt, and the
//   contract orders ties by videoId. Items above the boundary read last are complete; if
//   they do not fill the page, the boundary's whole second is read (one more Query, rare).
// - Known limit, chosen so a page stays one Query (SPEC §1): `createdAt <= cursor` cannot
//   see a "…:SSZ" item of the cursor's own second (it sorts above the cursor), so such an
//   item is skipped when a page ends inside its second. The service and the older
//   application write "…:SS.mmmZ" (toISOString); the owner-partition path has no such limit.
import { QueryCommand, type DynamoDBDocumentClient, type NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import type { ListPage, ListQuery } from '../../domain/ports.ts';
import type { Video } from '../../domain/video.ts';
import type { CallScope } from './call-scope.ts';
import { statusFilter } from './status.ts';
import { fromItem, type Item } from './item.ts';
import { matches, takePage } from './list-order.ts';

// DynamoDB's largest useful Limit; later rounds of a filtered page grow towards it.
const maxLimit = 1000;
// Without a cursor, "createdAt <= the far future" keeps one key condition shape.
const farFuture = '9999-12-31T23:59:59.999Z';
// "YYYY-MM-DDTHH:MM:SS": the part of an ISO-8601 UTC time whose string order is time order.
const secondLength = 19;

export interface IndexTarget {
  readonly table: string;
  readonly index: string;
}

type KeyCondition = '#createdAt <= :createdAt' | '#createdAt = :createdAt' | 'begins_with(#createdAt, :createdAt)';

function baseQuery(target: IndexTarget, query: ListQuery, keyCondition: KeyCondition, value: string) {
  const filter = query.status === undefined ? undefined : statusFilter(query.status);
  return {
    TableName: target.table,
    IndexName: target.index,
    KeyConditionExpression: `#ownerId = :ownerId AND ${keyCondition}`,
    FilterExpression: filter?.condition,
    ExpressionAttributeNames: { '#ownerId': 'ownerId', '#createdAt': 'createdAt', ...filter?.names },
    ExpressionAttributeValues: { ':ownerId': query.ownerId, ':createdAt': value, ...filter?.values },
    ScanIndexForward: false,
  };
}

/** The latest time an item not yet read can have, when the index was read down to `boundary`. */
function latestUnread(boundary: string): number {
  const time = Date.parse(boundary);
  if (Number.isNaN(time)) return Infinity;
  // Only the service's own spelling sorts exactly by time; any other may hide its whole second.
  return new Date(time).toISOString() === boundary ? time : Math.floor(time / 1000) * 1000 + 999;
}

/**
 * The createdAt key a cursor's time reads down from. A time after year 9999 has no
 * "YYYY-…" spelling ("+010000-…" sorts below every item), so it reads from the top, as
 * its time says; an Invalid Date never gets here (list-order.ts checkCursor).
 */
function keyOfCursor(time: Date): string {
  return time.getTime() > Date.parse(farFuture) ? farFuture : time.toISOString();
}

/** One newest-first page from the owner/time index (see the file comment). */
export async function listByIndex(doc: DynamoDBDocumentClient, target: IndexTarget, query: ListQuery, scope: CallScope): Promise<ListPage> {
  const wanted = query.limit + 1;
  const candidates = new Map<string, Video>();
  const add = (items: Item[] | undefined) => {
    for (const item of items ?? []) {
      const video = fromItem(item);
      if (matches(video, query)) candidates.set(video.videoId, video);
    }
  };
  const readAll = async (keyCondition: KeyCondition, value: string) => {
    let startKey: Record<string, NativeAttributeValue> | undefined;
    do {
      const page = await doc.send(
        new QueryCommand({ ...baseQuery(target, query, keyCondition, value), ExclusiveStartKey: startKey }),
        scope.send,
      );
      add(page.Items);
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
  };

  const upTo = query.after === undefined ? farFuture : keyOfCursor(query.after.createTime);
  let startKey: Record<string, NativeAttributeValue> | undefined;
  // With a cursor, `createdAt <= t` reads the cursor's own row again (it is skipped), so
  // one more row keeps a page at one Query.
  let limit = query.after === undefined ? wanted : wanted + 1;
  for (;;) {
    const page = await doc.send(
      new QueryCommand({ ...baseQuery(target, query, '#createdAt <= :createdAt', upTo), Limit: limit, ExclusiveStartKey: startKey }),
      scope.send,
    );
    add(page.Items);
    startKey = page.LastEvaluatedKey;
    if (startKey === undefined) break; // the owner is exhausted: every candidate is known
    if (candidates.size < wanted) {
      limit = Math.min(limit * 2, maxLimit);
      continue;
    }
    const boundary = String(startKey.createdAt);
    const unread = latestUnread(boundary);
    let complete = 0;
    for (const video of candidates.values()) if (video.createTime.getTime() > unread) complete++;
    if (complete < query.limit) {
      // The service's own spelling: the exact tie group; any other: its whole second.
      if (unread === Date.parse(boundary)) await readAll('#createdAt = :createdAt', boundary);
      else await readAll('begins_with(#createdAt, :createdAt)', boundary.slice(0, secondLength));
    }
    break;
  }

  return takePage(candidates.values(), query);
}
