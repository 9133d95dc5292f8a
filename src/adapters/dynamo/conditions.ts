// The conditional-write expressions for update and delete, and the diagnosis after a
// condition fails. The condition carries every precondition (existence, version,
// allowed-from statuses), so the success path is one request and no read.
import type { NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import { IllegalTransition, NotFound, StaleEtag, type VideoError } from '../../domain/errors.ts';
import type { Precondition, VideoChange } from '../../domain/ports.ts';
import type { VideoFields, VideoKey, VideoStatus } from '../../domain/video.ts';
import { isKnownStatusWord, statusFromWord, statusSpellings, storedAttributes } from './item.ts';

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
 * older items have none) AND the status check (a missing status reads as UPLOADED).
 */
export function writeCondition(expect: Precondition): ConditionExpression {
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
    names['#status'] = 'status';
    const placeholders: string[] = [];
    for (const word of expect.statusIn.flatMap(statusSpellings)) {
      const placeholder = `:from${placeholders.length}`;
      values[placeholder] = word;
      placeholders.push(placeholder);
    }
    const inList = placeholders.length > 0 ? `#status IN (${placeholders.join(', ')})` : 'attribute_not_exists(videoId)';
    clauses.push(expect.statusIn.includes('UPLOADED') ? `(attribute_not_exists(#status) OR ${inList})` : inList);
  }
  return { condition: clauses.join(' AND '), names, values };
}

/**
 * SET for every masked field with a value, REMOVE for every field set to empty/unknown
 * (SPEC: never stored as ""), plus updatedAt and version + 1 (from 0 when missing).
 */
export function updateExpression(change: VideoChange, expect: Precondition): UpdateExpression {
  const { condition, names, values } = writeCondition(expect);
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
  const update = `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`;
  return { update, condition, names, values };
}

/** What the store holds now, as far as a failed condition needs to know. */
export interface CurrentState {
  readonly version: number;
  /** The raw stored status word (undefined when the attribute is missing). */
  readonly statusWord: unknown;
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
    const known = isKnownStatusWord(current.statusWord);
    const from = statusFromWord(current.statusWord);
    if (!known || !expect.statusIn.includes(from)) {
      // An unknown stored word is named as stored, so the message says what is really there.
      const fromName = known ? from : String(current.statusWord);
      return new IllegalTransition(fromName, requestedStatus ?? 'DELETED');
    }
  }
  return undefined;
}

/**
 * A FilterExpression selecting the items that read as `status` (see statusFromWord):
 * its spellings, plus a missing attribute for UPLOADED and any unknown word for FAILED.
 */
export function statusFilter(status: VideoStatus): ConditionExpression {
  const names = { '#status': 'status' };
  const values: Record<string, NativeAttributeValue> = {};
  const placeholdersFor = (words: string[]) =>
    words.map((word) => {
      const placeholder = `:status${Object.keys(values).length}`;
      values[placeholder] = word;
      return placeholder;
    });
  if (status === 'FAILED') {
    const others = (['UPLOADED', 'TRANSCODING', 'TRANSCODED', 'COMPLETED'] as const).flatMap(statusSpellings);
    return {
      condition: `attribute_exists(#status) AND NOT (#status IN (${placeholdersFor(others).join(', ')}))`,
      names,
      values,
    };
  }
  const inList = `#status IN (${placeholdersFor(statusSpellings(status)).join(', ')})`;
  return { condition: status === 'UPLOADED' ? `(attribute_not_exists(#status) OR ${inList})` : inList, names, values };
}
