// ClaimVideo on DynamoDB (SPEC §9): the oldest-waiting claimable video, found through the
// work index (claim-queue.ts chooses the entry, never a Scan) and granted with one
// conditional UpdateItem (claim-writes.ts). An entry whose write finds the item changed is
// passed over; one whose attempts are spent is failed and passed over.
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { attemptsExhausted, isClaimable } from '../../domain/claim.ts';
import type { ClaimGrant } from '../../domain/ports.ts';
import type { Video } from '../../domain/video.ts';
import type { CallScope } from './call-scope.ts';
import { ClaimQueue, type ShardPage } from './claim-queue.ts';
import { failExhausted, grantClaim, leaveQueue } from './claim-writes.ts';
import { toStoreError } from './errors.ts';
import { fromItem, type Item } from './item.ts';
import { sortableTime, workIndexAttributes } from './work-index.ts';

/**
 * Entries read per Query of one shard. With 16 shards a deep queue costs about 1/8 Query
 * per claim; more would cost nothing extra per Query (a few hundred bytes each) but leave
 * more entries that another replica may claim first.
 */
export const shardReadLimit = 8;

export interface WorkIndexTarget {
  readonly table: string;
  readonly index: string;
}

/** Claims for one store: its queue view is shared by every call of the process. */
export class WorkClaims {
  private readonly queue = new ClaimQueue();

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly target: WorkIndexTarget,
  ) {}

  /** The claimed video, or undefined when nothing is claimable at `grant.now`. */
  async claimNext(grant: ClaimGrant, scope: CallScope): Promise<Video | undefined> {
    const now = sortableTime(grant.now);
    const callStart = this.queue.begin();
    const read = (shard: number, bound: string, startKey: Item | undefined) => this.readShard(shard, bound, startKey, scope);
    for (;;) {
      const entry = await this.queue.take(now, callStart, read, () => scope.check());
      if (entry === undefined) return undefined;
      try {
        const state = fromItem(entry.item);
        if (!isClaimable(state, grant.now)) {
          // In the queue yet not claimable: a stray entry (claim-writes.ts leaveQueue). A
          // claimed video whose expiry lies beyond what readyAt can order is left alone.
          if (state.claim === undefined || state.status !== 'TRANSCODING') await leaveQueue(this.doc, this.target.table, entry, state, scope);
          continue;
        }
        if (attemptsExhausted(state, grant.maxAttempts)) {
          await failExhausted(this.doc, this.target.table, entry, state, grant.now, scope);
          continue;
        }
        const video = await grantClaim(this.doc, this.target.table, entry, state, grant, scope);
        if (video !== undefined) return video;
      } finally {
        this.queue.done(entry);
      }
    }
  }

  /** One Query of one shard: the oldest entries ready by `bound`, after `startKey`. */
  private async readShard(shard: number, bound: string, startKey: Item | undefined, scope: CallScope): Promise<ShardPage> {
    try {
      const result = await this.doc.send(
        new QueryCommand({
          TableName: this.target.table,
          IndexName: this.target.index,
          KeyConditionExpression: '#shard = :shard AND #readyAt <= :bound',
          ExpressionAttributeNames: { '#shard': workIndexAttributes.shard, '#readyAt': workIndexAttributes.readyAt },
          ExpressionAttributeValues: { ':shard': shard, ':bound': bound },
          Limit: shardReadLimit,
          ExclusiveStartKey: startKey,
        }),
        scope.send,
      );
      const entries = (result.Items ?? []).map((item) => ({
        shard,
        ownerId: String(item.ownerId),
        videoId: String(item.videoId),
        readyAt: String(item[workIndexAttributes.readyAt]),
        item,
      }));
      return { entries, next: result.LastEvaluatedKey };
    } catch (err) {
      throw toStoreError(err, this.target.table, 'Query');
    }
  }
}
