// Newest-first listing from an index sorted by createdAt: the owner/time index (ownerId
// HASH), where a status filter is a FilterExpression, or the owner-and-status index
// (ownerStatus HASH, owner-status.ts), where the partition holds only the matching
// videos. One Query per page in the common case, however deep (keyset on createdAt),
// and on the owner-and-status index however many of the owner's videos the filter skips.
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
import { ownerStatusAttribute, ownerStatusKey } from './owner-status.ts';
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
  /**
   * What the index is partitioned by: the owner (a status filter reads past the owner's
   * other videos), or owner and status (only for a status-filtered query).
   */
  readonly keyedBy: 'owner' | 'owner-status';
}

type KeyCondition = '#createdAt <= :createdAt' | '#createdAt = :createdAt' | 'begins_with(#createdAt, :createdAt)';

/** The index partition a query reads, and the server-side filter it still needs. */
function partitionOf(target: IndexTarget, query: ListQuery) {
  if (target.keyedBy === 'owner-status') {
    if (query.status === undefined) throw new RangeError('the owner-and-status index serves only status-filtered lists');
    // Every item here has the status by its key; the reader still checks (list-order.ts
    // `matches`), so a key an older writer left stale can only hide an item, never add one.
    return { attribute: ownerStatusAttribute, value: ownerStatusKey(query.ownerId, query.status), filter: undefined };
  }
  return { attribute: 'ownerId', value: query.ownerId, filter: query.status === undefined ? undefined : statusFilter(query.status) };
}

function baseQuery(target: IndexTarget, query: ListQuery, keyCondition: KeyCondition, value: string) {
  const { attribute, value: partition, filter } = partitionOf(target, query);
  return {
    TableName: target.table,
    IndexName: target.index,
    KeyConditionExpression: `#partition = :partition AND ${keyCondition}`,
    FilterExpression: filter?.condition,
    ExpressionAttributeNames: { '#partition': attribute, '#createdAt': 'createdAt', ...filter?.names },
    ExpressionAttributeValues: { ':partition': partition, ':createdAt': value, ...filter?.values },
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

/** One newest-first page from an index sorted by createdAt (see the file comment). */
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
