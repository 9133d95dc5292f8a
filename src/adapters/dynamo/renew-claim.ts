// RenewClaim on DynamoDB (SPEC §9): one conditional UpdateItem that holds only while the
// video is TRANSCODING under a live claim of the worker (claim.ts `renewed`). The claim's
// new expiry is also its new place in the work index (readyTimeAfterWrite), so a renewed
// video is not handed out when the old lease would have run out.
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NoLiveClaim, NotFound } from '../../domain/errors.ts';
import type { ClaimRenewal } from '../../domain/ports.ts';
import type { Video, VideoKey } from '../../domain/video.ts';
import type { CallScope } from './call-scope.ts';
import { errorName, toStoreError } from './errors.ts';
import { fromItem, workAttributeNames } from './item.ts';
import { statusCondition } from './status.ts';
import { sortableTime, workIndexAttributes, workShardOf } from './work-index.ts';

/** The renewed video; NotFound if absent, NoLiveClaim otherwise refused. */
export async function renewClaim(doc: DynamoDBDocumentClient, table: string, key: VideoKey, renewal: ClaimRenewal, scope: CallScope): Promise<Video> {
  const transcoding = statusCondition(['TRANSCODING']);
  try {
    const result = await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { ownerId: key.ownerId, videoId: key.videoId },
        UpdateExpression:
          'SET #claimExpiresAt = :expires, #readyAt = :readyAt, #workShard = :shard, #updatedAt = :now, #version = if_not_exists(#version, :zero) + :one',
        // claimExpiresAt is ISO-8601 with milliseconds as this service writes it, so text order is time order.
        ConditionExpression: `attribute_exists(#videoId) AND ${transcoding.condition} AND #claimWorker = :worker AND #claimExpiresAt > :now`,
        ExpressionAttributeNames: {
          ...transcoding.names,
          '#videoId': 'videoId',
          '#claimWorker': workAttributeNames.claimWorker,
          '#claimExpiresAt': workAttributeNames.claimExpiresAt,
          '#readyAt': workIndexAttributes.readyAt,
          '#workShard': workIndexAttributes.shard,
          '#updatedAt': 'updatedAt',
          '#version': 'version',
        },
        ExpressionAttributeValues: {
          ...transcoding.values,
          ':worker': renewal.workerId,
          ':expires': renewal.expireTime.toISOString(),
          ':readyAt': sortableTime(renewal.expireTime),
          ':shard': workShardOf(key.ownerId, key.videoId),
          ':now': renewal.now.toISOString(),
          ':zero': 0,
          ':one': 1,
        },
        ReturnValues: 'ALL_NEW',
        // DynamoDB returns the item with the failure, which tells "absent" from "not yours"
        // without a read; dynalite does not, and then one GetItem does.
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
      scope.send,
    );
    return fromItem(result.Attributes ?? {});
  } catch (err) {
    if (errorName(err) !== 'ConditionalCheckFailedException') throw toStoreError(err, table, 'UpdateItem');
    if ((err as { Item?: unknown }).Item !== undefined || (await exists(doc, table, key, scope))) throw new NoLiveClaim(renewal.workerId);
    throw NotFound.video(key);
  }
}

async function exists(doc: DynamoDBDocumentClient, table: string, key: VideoKey, scope: CallScope): Promise<boolean> {
  try {
    const result = await doc.send(
      new GetCommand({
        TableName: table,
        Key: { ownerId: key.ownerId, videoId: key.videoId },
        ConsistentRead: true,
        ProjectionExpression: '#videoId',
        ExpressionAttributeNames: { '#videoId': 'videoId' },
      }),
      scope.send,
    );
    return result.Item !== undefined;
  } catch (err) {
    throw toStoreError(err, table, 'GetItem');
  }
}
