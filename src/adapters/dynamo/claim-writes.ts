// The conditional writes a claim makes on one work-index entry (SPEC §9): grant the claim,
// fail a video whose attempts are spent, or take a stray entry out of the queue. Each holds
// only while the item is exactly as the entry showed it (same version, stored status and
// readyAt): the index is read eventually consistently, so an entry may be stale, and a
// write whose condition fails just means "someone else got there first" — the caller moves
// on. That condition is also what makes a claim exclusive: of two callers that saw the same
// entry, only the first write finds it unchanged.
import { UpdateCommand, type DynamoDBDocumentClient, type NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import { claimed, exhaustedReason, readyTimeAfterWrite, statusChangeEffects, type WorkState } from '../../domain/claim.ts';
import type { ClaimGrant } from '../../domain/ports.ts';
import type { Video } from '../../domain/video.ts';
import type { CallScope } from './call-scope.ts';
import type { QueueEntry } from './claim-queue.ts';
import { errorName, toStoreError } from './errors.ts';
import { fromItem, workAttributeNames } from './item.ts';
import { ownerStatusAttribute, ownerStatusKey } from './owner-status.ts';
import { statusAttribute, statusWord } from './status.ts';
import { sortableTime, workIndexAttributes } from './work-index.ts';

interface Expression {
  readonly update: string;
  readonly names: Record<string, string>;
  readonly values: Record<string, NativeAttributeValue>;
}

const names = {
  '#videoId': 'videoId',
  '#version': 'version',
  '#status': statusAttribute,
  '#readyAt': workIndexAttributes.readyAt,
  '#workShard': workIndexAttributes.shard,
  '#ownerStatus': ownerStatusAttribute,
  '#claimWorker': workAttributeNames.claimWorker,
  '#claimExpiresAt': workAttributeNames.claimExpiresAt,
  '#attempts': workAttributeNames.attempts,
  '#updatedAt': 'updatedAt',
  '#failureReason': 'failureReason',
};

/** The item is still exactly what the entry showed: same version, stored status (as spelled) and readyAt. */
function unchangedSince(entry: QueueEntry, version: number): { condition: string; values: Record<string, NativeAttributeValue> } {
  const values: Record<string, NativeAttributeValue> = { ':seenReadyAt': entry.readyAt, ':seenVersion': version };
  const clauses = [
    'attribute_exists(#videoId)',
    '#readyAt = :seenReadyAt',
    // Items of the older application have no version; it reads as 0.
    version === 0 ? '(attribute_not_exists(#version) OR #version = :seenVersion)' : '#version = :seenVersion',
  ];
  const status: unknown = entry.item[statusAttribute];
  if (status === undefined) clauses.push('attribute_not_exists(#status)');
  else if (typeof status === 'string') {
    values[':seenStatus'] = status;
    clauses.push('#status = :seenStatus');
  } else {
    values[':stringType'] = 'S';
    clauses.push('attribute_exists(#status) AND NOT attribute_type(#status, :stringType)');
  }
  return { condition: clauses.join(' AND '), values };
}

/** Sends the update if the item is unchanged since the entry; the new item, or undefined when it changed. */
async function writeIfUnchanged(
  doc: DynamoDBDocumentClient,
  table: string,
  entry: QueueEntry,
  state: Video,
  expression: Expression,
  scope: CallScope,
): Promise<Video | undefined> {
  const seen = unchangedSince(entry, state.version);
  const used = { ...expression.names };
  const text = `${expression.update} ${seen.condition}`;
  for (const [placeholder, attribute] of Object.entries(names)) if (text.includes(placeholder)) used[placeholder] = attribute;
  try {
    const result = await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { ownerId: entry.ownerId, videoId: entry.videoId },
        UpdateExpression: expression.update,
        ConditionExpression: seen.condition,
        ExpressionAttributeNames: used,
        ExpressionAttributeValues: { ...expression.values, ...seen.values },
        ReturnValues: 'ALL_NEW',
      }),
      scope.send,
    );
    return fromItem(result.Attributes ?? {});
  } catch (err) {
    if (errorName(err) === 'ConditionalCheckFailedException') return undefined;
    throw toStoreError(err, table, 'UpdateItem');
  }
}

const bumpVersion = '#version = if_not_exists(#version, :zero) + :one';

/** Grants `grant` on the entry's video (claim.ts `claimed`); undefined when the item changed since the entry. */
export async function grantClaim(
  doc: DynamoDBDocumentClient,
  table: string,
  entry: QueueEntry,
  state: Video,
  grant: ClaimGrant,
  scope: CallScope,
): Promise<Video | undefined> {
  const next: WorkState = claimed(state, grant.workerId, grant.now, grant.expireTime.getTime() - grant.now.getTime());
  const readyTime = readyTimeAfterWrite({ status: state.status, readyTime: undefined }, next, grant.now)!;
  return writeIfUnchanged(
    doc,
    table,
    entry,
    state,
    {
      update:
        'SET #status = :status, #ownerStatus = :ownerStatus, #claimWorker = :worker, #claimExpiresAt = :expires, ' +
        `#attempts = :attempts, #readyAt = :readyAt, #updatedAt = :now, ${bumpVersion}`,
      names: {},
      values: {
        ':status': statusWord(next.status),
        ':ownerStatus': ownerStatusKey(entry.ownerId, next.status),
        ':worker': next.claim!.workerId,
        ':expires': next.claim!.expireTime.toISOString(),
        ':attempts': next.attemptCount,
        ':readyAt': sortableTime(readyTime),
        ':now': grant.now.toISOString(),
        ':zero': 0,
        ':one': 1,
      },
    },
    scope,
  );
}

/**
 * Sets a claimable video whose attempts are spent FAILED with `exhaustedReason` (SPEC §9),
 * out of the queue; leaving TRANSCODING ends its claim as any such change does. False
 * when the item changed since the entry (whoever changed it decided its fate).
 */
export async function failExhausted(
  doc: DynamoDBDocumentClient,
  table: string,
  entry: QueueEntry,
  state: Video,
  now: Date,
  scope: CallScope,
): Promise<boolean> {
  const clearClaim = statusChangeEffects(state.status, 'FAILED', true).clearClaim ? ', #claimWorker, #claimExpiresAt' : '';
  const written = await writeIfUnchanged(
    doc,
    table,
    entry,
    state,
    {
      update: `SET #status = :status, #ownerStatus = :ownerStatus, #failureReason = :reason, #updatedAt = :now, ${bumpVersion} REMOVE #readyAt, #workShard${clearClaim}`,
      names: {},
      values: {
        ':status': statusWord('FAILED'),
        ':ownerStatus': ownerStatusKey(entry.ownerId, 'FAILED'),
        ':reason': exhaustedReason(state.attemptCount),
        ':now': now.toISOString(),
        ':zero': 0,
        ':one': 1,
      },
    },
    scope,
  );
  return written !== undefined;
}

/**
 * Takes an entry that is in the queue without being claimable (its status was changed by a
 * writer that does not know the work index, such as the older application) out of it, so
 * later reads stop meeting it. The video itself is not changed: no version, no update time.
 */
export async function leaveQueue(doc: DynamoDBDocumentClient, table: string, entry: QueueEntry, state: Video, scope: CallScope): Promise<void> {
  await writeIfUnchanged(doc, table, entry, state, { update: 'REMOVE #readyAt, #workShard', names: {}, values: {} }, scope);
}
