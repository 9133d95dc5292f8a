// The conditional-write expressions for update and delete, and the diagnosis after a
// condition fails. The condition carries every precondition (existence, version,
// allowed-from statuses), so the success path is one request and no read.
import type { NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import { IllegalTransition, NotFound, StaleEtag, type VideoError } from '../../domain/errors.ts';
import type { Precondition, VideoChange } from '../../domain/ports.ts';
import type { VideoFields, VideoKey, VideoStatus } from '../../domain/video.ts';
import { storedAttributes, workAttributeNames } from './item.ts';
import { ownerStatusAttribute, ownerStatusKey } from './owner-status.ts';
import type { StoredStatusChangeEffects } from './status-change-writes.ts';
import { readStatus, statusCondition } from './status.ts';
import { sortableTime, workIndexAttributes, workShardOf } from './work-index.ts';

export interface Expression {
  readonly names: Record<string, string>;
  readonly values: Record<string, NativeAttributeValue>;
}

export interface ConditionExpression extends Expression {
  readonly condition: string;
}

export interface UpdateExpression extends ConditionExpression {
  readonly update: string;
}

/**
 * `attribute_exists(videoId)` AND the version check (a missing version counts as 0, as
 * older items have none) AND the status check (status.ts: the usual spellings of the
 * allowed statuses, a missing status as UPLOADED, plus `seenStatusWords`, rarer spellings
 * a failed attempt found on the item).
 */
export function writeCondition(expect: Precondition, seenStatusWords: readonly string[] = []): ConditionExpression {
  const names: Record<string, string> = {};
  const values: Record<string, NativeAttributeValue> = {};
  const clauses = ['attribute_exists(videoId)'];
  if (expect.version !== undefined) {
    names['#version'] = 'version';
    values[':expectedVersion'] = expect.version;
    clauses.push(
      expect.version === 0
        ? '(attribute_not_exists(#version) OR #version = :expectedVersion)'
        : '#version = :expectedVersion',
    );
  }
  if (expect.statusIn !== undefined) {
    const status = statusCondition(expect.statusIn, seenStatusWords);
    Object.assign(names, status.names);
    Object.assign(values, status.values);
    clauses.push(status.condition);
  }
  return { condition: clauses.join(' AND '), names, values };
}

/**
 * SET for every masked field with a value, REMOVE for every field set to empty/unknown
 * (SPEC: never stored as ""), plus updatedAt and version + 1 (from 0 when missing). A
 * status change rewrites the owner-and-status index key with it (owner-status.ts), and the
 * work index keys as `effects.work` says (work-index.ts), in the same request, so no index
 * lists a video under a status it has left.
 */
export function updateExpression(
  key: VideoKey,
  change: VideoChange,
  expect: Precondition,
  seenStatusWords: readonly string[] = [],
  effects?: StoredStatusChangeEffects,
): UpdateExpression {
  const { condition, names, values } = writeCondition(expect, seenStatusWords);
  const sets = ['#updatedAt = :updatedAt', '#version = if_not_exists(#version, :zero) + :one'];
  const removes: string[] = [];
  names['#updatedAt'] = 'updatedAt';
  names['#version'] = 'version';
  values[':updatedAt'] = change.updateTime.toISOString();
  values[':zero'] = 0;
  values[':one'] = 1;
  for (const field of Object.keys(change.fields) as (keyof VideoFields)[]) {
    const fieldValue = change.fields[field];
    if (fieldValue === undefined) continue;
    for (const [attribute, stored] of storedAttributes(field, fieldValue)) {
      names[`#${attribute}`] = attribute;
      if (stored === undefined) {
        removes.push(`#${attribute}`);
      } else {
        values[`:${attribute}`] = stored;
        sets.push(`#${attribute} = :${attribute}`);
      }
    }
  }
  if (change.fields.status !== undefined) {
    names['#ownerStatus'] = ownerStatusAttribute;
    values[':ownerStatus'] = ownerStatusKey(key.ownerId, change.fields.status);
    sets.push('#ownerStatus = :ownerStatus');
  }
  // What the status change does beyond the status (claim.ts): attributes removed, as every
  // empty value is (a reset attempt count is 0, stored as no attribute).
  const removed = [
    ...(effects?.clearClaim ? [workAttributeNames.claimWorker, workAttributeNames.claimExpiresAt] : []),
    ...(effects?.resetAttempts ? [workAttributeNames.attempts] : []),
    ...(effects?.clearFailureReason ? ['failureReason'] : []),
  ];
  for (const attribute of removed) {
    names[`#${attribute}`] = attribute;
    removes.push(`#${attribute}`);
  }
  const work = effects?.work;
  if (work !== undefined && work !== 'keep') {
    names['#readyAt'] = workIndexAttributes.readyAt;
    names['#workShard'] = workIndexAttributes.shard;
    if (work === 'remove') removes.push('#readyAt', '#workShard');
    else {
      values[':readyAt'] = sortableTime(change.updateTime);
      values[':workShard'] = workShardOf(key.ownerId, key.videoId);
      sets.push(work === 'now' ? '#readyAt = :readyAt' : '#readyAt = if_not_exists(#readyAt, :readyAt)', '#workShard = :workShard');
    }
  }
  const update = `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`;
  return { update, condition, names, values };
}

/** What the store holds now, as far as a failed condition needs to know. */
export interface CurrentState {
  readonly version: number;
  /** The stored status attribute as it is (undefined when missing), read by status.ts. */
  readonly status: NativeAttributeValue;
}

/**
 * Why a conditional write failed, in the port's order: NotFound, then StaleEtag, then
 * IllegalTransition. Undefined when the current state satisfies the precondition — the
 * item changed between the write and this read — so the caller retries the write.
 */
export function diagnose(
  key: VideoKey,
  current: CurrentState | undefined,
  expect: Precondition,
  requestedStatus: VideoStatus | undefined,
): VideoError | undefined {
  if (current === undefined) return NotFound.video(key);
  if (expect.version !== undefined && current.version !== expect.version) return new StaleEtag();
  if (expect.statusIn !== undefined) {
    // An unknown stored value is named as stored, so the message says what is really there.
    const from = readStatus(current.status);
    if (!from.known || !expect.statusIn.includes(from.status)) {
      return new IllegalTransition(from.name, requestedStatus ?? 'DELETED');
    }
  }
  return undefined;
}
