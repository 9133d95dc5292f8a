// Video ⇄ DynamoDB item, in the production layout of SPEC §1. Empty or unknown values
// are omitted (never stored as ""), and anything an older writer left out reads as its
// default, so items the previous application wrote always load.
import { NumberValue, type NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import { videoStatuses, type Video, type VideoFields, type VideoStatus } from '../../domain/video.ts';

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
} as const satisfies Record<keyof VideoFields, string>;

// DynamoDB numbers hold magnitudes from 1e-130 to 9.99…e125 (38 digits). Every real
// duration fits; a double outside that range (the domain allows any finite value ≥ 0)
// is stored clamped in `duration`, for readers of the production layout, plus its exact
// text in `durationExact`, which this service prefers on read. See README.
const smallestDynamoNumber = '1E-130';
const largestDynamoNumber = '9.9999999999999999999999999999999999999E+125';
export const durationExactAttribute = 'durationExact';

/** The word stored for a status: lowercase, as the older application wrote it. */
export function statusWord(status: VideoStatus): string {
  return status.toLowerCase();
}

/**
 * Every spelling a stored status may have, for conditions: the lowercase word we write,
 * plus UPPER and Capitalised forms, because reads accept any case (see statusFromWord).
 */
export function statusSpellings(status: VideoStatus): string[] {
  const lower = status.toLowerCase();
  return [lower, status, lower.charAt(0).toUpperCase() + lower.slice(1)];
}

/**
 * Reads a stored status word. Case does not matter; a missing status reads as UPLOADED
 * (the create default). An unknown word reads as FAILED — the state that asks for a
 * person's attention and only allows a retry — and is never rewritten unless the
 * status itself is updated; a status change from it is refused (see store diagnosis).
 */
export function statusFromWord(word: unknown): VideoStatus {
  if (typeof word !== 'string' || word === '') return 'UPLOADED';
  const upper = word.toUpperCase();
  return (videoStatuses as readonly string[]).includes(upper) ? (upper as VideoStatus) : 'FAILED';
}

/** Whether a stored status word is one a condition built from statusSpellings can match. */
export function isKnownStatusWord(word: unknown): boolean {
  if (word === undefined) return true;
  return typeof word === 'string' && videoStatuses.some((s) => statusSpellings(s).includes(word));
}

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

/** The full item for a new video; omitted attributes are absent (undefined is dropped by the client). */
export function toItem(video: Video): Item {
  const item: Item = {
    ownerId: video.ownerId,
    videoId: video.videoId,
    createdAt: video.createTime.toISOString(),
    updatedAt: video.updateTime.toISOString(),
    version: video.version,
  };
  for (const field of Object.keys(fieldAttributes) as (keyof VideoFields)[]) {
    for (const [attribute, value] of storedAttributes(field, video[field])) item[attribute] = value;
  }
  return item;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function numberText(value: unknown): string | undefined {
  if (value instanceof NumberValue) return value.value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  // An older writer may have stored a number as a string ("1920"); it still means the number.
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  return undefined;
}

function finiteNumber(value: unknown): number {
  const parsed = Number(numberText(value) ?? 0);
  return Number.isFinite(parsed) ? parsed : 0;
}

function durationOf(item: Item): number {
  const exact = typeof item[durationExactAttribute] === 'string' ? Number(item[durationExactAttribute]) : NaN;
  return Math.max(0, Number.isFinite(exact) ? exact : finiteNumber(item.duration));
}

function wholeBytes(value: unknown): bigint {
  const digits = numberText(value);
  // An older writer might have stored "1.0e6"-like text; anything not a whole number reads as unknown.
  return digits !== undefined && /^\d+$/.test(digits) ? BigInt(digits) : 0n;
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
 */
export function fromItem(item: Item): Video {
  const updatedAt = time(item.updatedAt, new Date(0));
  const createdAt = time(item.createdAt, updatedAt);
  return {
    ownerId: text(item.ownerId),
    videoId: text(item.videoId),
    originalName: text(item.originalName),
    title: text(item.title),
    status: statusFromWord(item.status),
    originalKey: text(item.originalKey),
    transcodedKey: text(item.transcodedKey),
    thumbKey: text(item.thumbKey),
    durationSeconds: durationOf(item),
    format: text(item.format),
    width: Math.trunc(finiteNumber(item.width)),
    height: Math.trunc(finiteNumber(item.height)),
    sizeBytes: wholeBytes(item.sizeBytes),
    labels: labelsOf(item.labels),
    createTime: createdAt,
    updateTime: time(item.updatedAt, createdAt),
    version: Math.trunc(finiteNumber(item.version)),
  };
}
