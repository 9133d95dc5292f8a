// getMany: one BatchGetItem for up to 100 keys (DynamoDB's limit per request). DynamoDB
// may return part of the keys as UnprocessedKeys under load; those are retried with
// backoff a bounded number of times, then the call gives up as StoreUnavailable.
import { BatchGetCommand, type DynamoDBDocumentClient, type NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import { StoreUnavailable } from '../../domain/errors.ts';
import type { Video } from '../../domain/video.ts';
import type { CallScope } from './call-scope.ts';
import { fromItem } from './item.ts';

export const batchGetMaxKeys = 100;
const maxRounds = 5;
const baseDelayMs = 50;

type Key = Record<string, NativeAttributeValue>;

/** The owner's videos among `videoIds` (≤ 100) in any order, consistent reads; absent ids are left out. */
export async function batchGet(
  doc: DynamoDBDocumentClient,
  table: string,
  ownerId: string,
  videoIds: readonly string[],
  scope: CallScope,
): Promise<Video[]> {
  if (videoIds.length === 0) return [];
  if (videoIds.length > batchGetMaxKeys) throw new RangeError(`batchGet takes at most ${batchGetMaxKeys} ids`);
  const found: Video[] = [];
  let keys: Key[] = [...new Set(videoIds)].map((videoId) => ({ ownerId, videoId }));
  for (let round = 0; round < maxRounds; round++) {
    // The backoff ends at the call's deadline (StoreUnavailable), like every retry here.
    if (round > 0) await scope.sleep(baseDelayMs * 2 ** (round - 1) * (0.5 + Math.random()));
    const result = await doc.send(
      new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }),
      scope.send,
    );
    for (const item of result.Responses?.[table] ?? []) found.push(fromItem(item));
    keys = result.UnprocessedKeys?.[table]?.Keys ?? [];
    if (keys.length === 0) return found;
  }
  throw new StoreUnavailable('the video store (DynamoDB) is throttling batch reads; retry later');
}
