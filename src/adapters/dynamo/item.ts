// Video ⇄ DynamoDB item, in the production layout of SPEC §1. Empty or unknown values
// are omitted (never stored as ""), and anything an older writer left out reads as its
// default, so items the previous application wrote always load.
import { NumberValue, type NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import type { Video, VideoFields, VideoStatus } from '../../domain/video.ts';
import { byteCount, dimension, nonNegativeSeconds, numberText } from './legacy-numbers.ts';
import { ownerStatusAttribute, ownerStatusKey } from './owner-status.ts';
import { readStatus, statusWord } from './status.ts';
import { workAttributeNames, workIndexItemAttributes } from './work-index.ts';

export type Item = Record<string, NativeAttributeValue>;

/** Attribute name of each mutable field (the production names, SPEC §1). */
export const fieldAttributes = {
  originalName: 'originalName',
  title: 'title',
  status: 'status',
  originalKey: 'originalKey',
  transcodedKey: 'transcodedKey',
  thumbKey: 'thumbKey',
  durationSeconds: 'duration',
  format: 'format',
  width: 'width',
  height: 'height',
  sizeBytes: 'sizeBytes',
  labels: 'labels',
  failureReason: 'failureReason',
} as const satisfies Record<keyof VideoFields, string>;

// DynamoDB numbers hold magnitudes from 1e-130 to 9.99…e125 (38 digits). Every real
// duration fits; a double outside that range (the domain allows any finite value ≥ 0)
// is stored clamped in `duration`, for readers of the production layout, plus its exact
// text in `durationExact`, which this service prefers on read. See README.
const smallestDynamoNumber = '1E-130';
const largestDynamoNumber = '9.9999999999999999999999999999999999999E+125';
export const durationExactAttribute = 'durationExact';

/** The value to store for one field, or undefined when it is empty/unknown and must be omitted. */
function attributeValue<K extends keyof VideoFields>(field: K, value: VideoFields[K]): NativeAttributeValue {
  switch (field) {
    case 'status':
      return statusWord(value as VideoStatus);
    case 'durationSeconds': {
      const seconds = value as number;
      if (seconds === 0) return undefined; // 0 = unknown duration (SPEC: unknown is omitted)
      if (seconds < Number(smallestDynamoNumber)) return NumberValue.from(smallestDynamoNumber);
      if (seconds > Number(largestDynamoNumber)) return NumberValue.from(largestDynamoNumber);
      // String(double) is the shortest text that reads back to the same double.
      return NumberValue.from(String(seconds));
    }
    case 'width':
    case 'height':
      return value === 0 ? undefined : (value as number); // 0 = unknown (SPEC §1)
    case 'sizeBytes':
      // A uint64 may exceed 2^53: store the exact decimal text of the bigint.
      return value === 0n ? undefined : NumberValue.from((value as bigint).toString());
    case 'labels': {
      const labels = value as Readonly<Record<string, string>>;
      // Label values may legitimately be "" (SPEC: value 0..256 chars); only an empty map is omitted.
      return Object.keys(labels).length === 0 ? undefined : { ...labels };
    }
    default:
      return value === '' ? undefined : (value as string);
  }
}

/**
 * The attributes one field is stored in, each with its value or undefined (omit/REMOVE).
 * One attribute per field, except a duration beyond DynamoDB's number range (above).
 */
export function storedAttributes<K extends keyof VideoFields>(field: K, value: VideoFields[K]): [string, NativeAttributeValue][] {
  const stored: [string, NativeAttributeValue][] = [[fieldAttributes[field], attributeValue(field, value)]];
  if (field === 'durationSeconds') {
    const seconds = value as number;
    const fits = seconds === 0 || (seconds >= Number(smallestDynamoNumber) && seconds <= Number(largestDynamoNumber));
    stored.push([durationExactAttribute, fits ? undefined : String(seconds)]);
  }
  return stored;
}

/**
 * The full item for a new video; omitted attributes are absent (undefined is dropped by the
 * client). It carries the owner-and-status index key (owner-status.ts) and, when claimable
 * or claimed, the work index keys (work-index.ts), whether or not the table has those
 * indexes yet, so an index added later finds every video written since.
 */
export function toItem(video: Video): Item {
  const item: Item = {
    ownerId: video.ownerId,
    videoId: video.videoId,
    createdAt: video.createTime.toISOString(),
    updatedAt: video.updateTime.toISOString(),
    version: video.version,
    [ownerStatusAttribute]: ownerStatusKey(video.ownerId, video.status),
  };
  for (const field of Object.keys(fieldAttributes) as (keyof VideoFields)[]) {
    for (const [attribute, value] of storedAttributes(field, video[field])) item[attribute] = value;
  }
  Object.assign(item, workAttributes(video), workIndexItemAttributes(video));
  return item;
}

export { workAttributeNames };

function workAttributes(video: Pick<Video, 'claim' | 'attemptCount'>): Item {
  return {
    [workAttributeNames.claimWorker]: video.claim?.workerId,
    [workAttributeNames.claimExpiresAt]: video.claim?.expireTime.toISOString(),
    [workAttributeNames.attempts]: video.attemptCount === 0 ? undefined : video.attemptCount,
  };
}

/** attempt_count is a uint32 on the wire: a larger stored number reads as the largest. */
const maxAttemptCount = 2 ** 32 - 1;

/** A claim as stored; none unless both its worker and a readable expiry are there. */
function claimOf(item: Item): Video['claim'] {
  const workerId = item[workAttributeNames.claimWorker];
  const expireTime = time(item[workAttributeNames.claimExpiresAt], new Date(Number.NaN));
  return typeof workerId === 'string' && workerId !== '' && !Number.isNaN(expireTime.getTime()) ? { workerId, expireTime } : undefined;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The stored duration: the exact text when a duration beyond DynamoDB's range was stored, else `duration`. */
function durationOf(item: Item): number {
  const exact = item[durationExactAttribute];
  return typeof exact === 'string' && Number.isFinite(Number(exact)) ? nonNegativeSeconds(exact) : nonNegativeSeconds(item.duration);
}

/** A stored whole count (the version for the etag, the attempts): anything else (never written by this service) reads as 0. */
function countOf(value: unknown): number {
  const parsed = Number(numberText(value) ?? 0);
  return Number.isSafeInteger(Math.trunc(parsed)) && parsed > 0 ? Math.trunc(parsed) : 0;
}

function time(value: unknown, fallback: Date): Date {
  const parsed = typeof value === 'string' ? new Date(value) : undefined;
  return parsed && !Number.isNaN(parsed.getTime()) ? parsed : fallback;
}

function labelsOf(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || value instanceof NumberValue) return {};
  const labels: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) if (typeof entry === 'string') labels[key] = entry;
  return labels;
}

/**
 * A stored item as a Video. Missing version = 0, missing labels = {}, any other missing
 * attribute reads as its default; a missing createdAt reads as updatedAt (else the epoch).
 * Numbers outside their SPEC §1 range are clamped (legacy-numbers.ts), the status follows
 * the one rule of status.ts; nothing here ever throws on what an item holds.
 */
export function fromItem(item: Item): Video {
  const updatedAt = time(item.updatedAt, new Date(0));
  const createdAt = time(item.createdAt, updatedAt);
  return {
    ownerId: text(item.ownerId),
    videoId: text(item.videoId),
    originalName: text(item.originalName),
    title: text(item.title),
    status: readStatus(item.status).status,
    originalKey: text(item.originalKey),
    transcodedKey: text(item.transcodedKey),
    thumbKey: text(item.thumbKey),
    durationSeconds: durationOf(item),
    format: text(item.format),
    width: dimension(item.width),
    height: dimension(item.height),
    sizeBytes: byteCount(item.sizeBytes),
    labels: labelsOf(item.labels),
    failureReason: text(item.failureReason),
    createTime: createdAt,
    updateTime: time(item.updatedAt, createdAt),
    version: countOf(item.version),
    claim: claimOf(item),
    attemptCount: Math.min(countOf(item[workAttributeNames.attempts]), maxAttemptCount),
  };
}
