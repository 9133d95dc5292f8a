// The work index (SPEC §9): a sparse GSI holding exactly the videos a claim may take now or
// later — UPLOADED ones, and TRANSCODING ones under a claim — keyed
//
//   workShard (N, partition key)  0..15, a hash of (ownerId, videoId): stable per video
//   readyAt   (S, sort key)       ISO-8601 UTC with milliseconds (fixed width, so it sorts
//                                 as text): when the video waits from (claim.ts
//                                 readyTimeAfterWrite) — its creation, give-back or retry
//                                 while UPLOADED, its claim's expiry while claimed
//
// Every other item lacks both attributes, so it is not in the index at all.
//
// Why 16 shards: DynamoDB serves one partition key value at about 1 000 writes/s, and SPEC
// §9 wants no key to take more than an eighth of the queue's writes. A hash spreads videos
// evenly over the 16 values (1/16 each on average, so even a key running well above its
// share stays under 1/8), for about 16 000 index writes/s in all — a video's life costs the
// index ~4 (create, claim moves its sort key: delete + put, finish). More shards would cost
// an idle poll more Queries (one per shard, claim-queue.ts), fewer would cap the queue lower.
import { createHash } from 'node:crypto';
import type { GlobalSecondaryIndex } from '@aws-sdk/client-dynamodb';
import { readyTimeAfterWrite, statusChangeEffects } from '../../domain/claim.ts';
import type { Video, VideoStatus } from '../../domain/video.ts';

export const workIndexAttributes = { shard: 'workShard', readyAt: 'readyAt' } as const;

/** The work-claiming attributes of SPEC §1 (claimWorker, claimExpiresAt, attempts), each omitted when empty. */
export const workAttributeNames = { claimWorker: 'claimWorker', claimExpiresAt: 'claimExpiresAt', attempts: 'attempts' } as const;

/** The work index's name where a caller names none (SPEC §5's default for DYNAMO_WORK_INDEX). */
export const defaultWorkIndex = 'WorkIndex';

export const workShardCount = 16;

/**
 * What the index copies besides its keys: exactly what a claim decides from — whether the
 * entry is claimable (status, claim), whether its attempts are spent, and the version and
 * stored status its conditional write names — so a claim needs no read of the item. Not
 * ALL: an entry stays ~200 bytes (a Query of a few is one 0.5-unit read) and an edit of a
 * title or labels does not rewrite the index.
 */
export const workIndexProjection: readonly string[] = [
  'status',
  'version',
  workAttributeNames.attempts,
  workAttributeNames.claimWorker,
  workAttributeNames.claimExpiresAt,
];

/** The shard of a video: the same for every write of it, so its entry only ever moves along one key. */
export function workShardOf(ownerId: string, videoId: string): number {
  // Owner ids cannot hold NUL (SPEC §1), so the pair is unambiguous.
  return createHash('sha256').update(`${ownerId}\0${videoId}`).digest().readUInt32BE(0) % workShardCount;
}

// toISOString leaves its fixed width (and so the text order) outside years 0..9999.
const earliestSortable = '0000-01-01T00:00:00.000Z';
const latestSortable = '9999-12-31T23:59:59.999Z';

/** `time` as a readyAt value or bound: ISO-8601 with milliseconds, clamped to years 0..9999 so text order is time order. */
export function sortableTime(time: Date): string {
  if (time.getTime() < Date.parse(earliestSortable)) return earliestSortable;
  if (time.getTime() > Date.parse(latestSortable)) return latestSortable;
  return time.toISOString();
}

/** The index attributes of a video stored anew: it waits from its creation (or its claim's expiry), or is not in the index. */
export function workIndexItemAttributes(video: Video): Record<string, string | number | undefined> {
  const readyTime = readyTimeAfterWrite(undefined, video, video.createTime);
  if (readyTime === undefined) return {};
  return { [workIndexAttributes.readyAt]: sortableTime(readyTime), [workIndexAttributes.shard]: workShardOf(video.ownerId, video.videoId) };
}

/**
 * What an update changing the status `from` → `to` does to readyAt. An UpdateItem cannot
 * branch on what is stored, so the update sends one write per distinct answer
 * (status-change-writes.ts):
 *   keep         — leave it (TRANSCODING → TRANSCODING keeps the claim and its expiry)
 *   keep-or-now  — leave it, or set the update time if absent (UPLOADED → UPLOADED keeps its place)
 *   now          — the update time (a give-back or a retry waits from now)
 *   remove       — out of the queue (any other status; a plain update to TRANSCODING)
 * Derived from claim.ts readyTimeAfterWrite, so the rule is written once.
 */
export type WorkWrite = 'keep' | 'keep-or-now' | 'now' | 'remove';

export function workWriteOf(from: VideoStatus, to: VideoStatus): WorkWrite {
  const now = new Date(1);
  const stored = new Date(2);
  const claimBefore = { workerId: 'w', expireTime: new Date(3) };
  // An update never grants a claim; it keeps the one there unless the change clears it.
  const claimAfter = from === 'TRANSCODING' && !statusChangeEffects(from, to, false).clearClaim ? claimBefore : undefined;
  const after = { status: to, claim: claimAfter, attemptCount: 0 };
  const withStored = readyTimeAfterWrite({ status: from, readyTime: stored }, after, now);
  const withoutStored = readyTimeAfterWrite({ status: from, readyTime: undefined }, after, now);
  if (withStored === undefined) return 'remove';
  if (withStored === claimBefore.expireTime) return 'keep';
  if (withStored === stored) return withoutStored === now ? 'keep-or-now' : 'keep';
  return 'now';
}

/** The index as create-table and create-index --work define it. */
export function workIndexDefinition(indexName: string): GlobalSecondaryIndex {
  return {
    IndexName: indexName,
    KeySchema: [
      { AttributeName: workIndexAttributes.shard, KeyType: 'HASH' },
      { AttributeName: workIndexAttributes.readyAt, KeyType: 'RANGE' },
    ],
    Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...workIndexProjection] },
  };
}

/** The attribute definitions the index's keys need. */
export const workIndexAttributeDefinitions = [
  { AttributeName: workIndexAttributes.shard, AttributeType: 'N' },
  { AttributeName: workIndexAttributes.readyAt, AttributeType: 'S' },
] as const;
