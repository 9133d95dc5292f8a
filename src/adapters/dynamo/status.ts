// The one rule for the stored `status` attribute, used by the item reader, the list
// filters and the conditional writes, so a status an item reads as is also the status
// it is listed under and the status a condition checks (README, "DynamoDB items").
//
// - A missing attribute or "" reads as UPLOADED (the create default; empty = omitted).
// - A string whose upper-case form is a status name reads as that status, in any case:
//   `uploaded` (what the older application and this service write), `Uploaded`, `UPLOADED`…
// - Anything else — another word, a number, a map, null — reads as FAILED, the state that
//   asks for a person's attention. It is "unknown": never rewritten unless the status
//   itself is updated, and a status change from it is refused naming what is stored.
//
// DynamoDB compares strings exactly, so expressions cannot say "any case". Filters
// therefore select a superset on the server (same length, or not a known spelling) and the
// reader decides on the client; a condition lists the usual spellings, and when a write
// fails on a rarer spelling the reader accepts, it is retried naming that exact word.
import type { NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import { NumberValue } from '@aws-sdk/lib-dynamodb';
import { videoStatuses, type VideoStatus } from '../../domain/video.ts';

export const statusAttribute = 'status';

/** What a stored status attribute reads as. */
export interface StoredStatus {
  readonly status: VideoStatus;
  /** False for a word or value that is no status (it reads as FAILED but may not change). */
  readonly known: boolean;
  /** How a refusal names it: the status, or what is really stored ("processing", "42", "a map"). */
  readonly name: string;
}

/** The word stored for a status: lowercase, as the older application wrote it. */
export function statusWord(status: VideoStatus): string {
  return status.toLowerCase();
}

/** How a value that is no string is named in a refusal. */
function describeValue(value: NativeAttributeValue): string {
  if (value instanceof NumberValue) return value.value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (value instanceof Set) return 'a set';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Uint8Array) return 'a binary value';
  return 'a map';
}

/** Reads a stored status attribute (undefined when the item has none): the one rule above. */
export function readStatus(value: NativeAttributeValue): StoredStatus {
  if (value === undefined || value === '') return { status: 'UPLOADED', known: true, name: 'UPLOADED' };
  if (typeof value === 'string') {
    const upper = value.toUpperCase();
    const status = videoStatuses.find((s) => s === upper);
    return status === undefined ? { status: 'FAILED', known: false, name: value } : { status, known: true, name: status };
  }
  return { status: 'FAILED', known: false, name: describeValue(value) };
}

/**
 * The status attribute of a low-level item (as DynamoDB returns the old item with a
 * failed condition), in the form readStatus takes.
 */
export function statusFromAttributeValue(value: Record<string, unknown> | undefined): NativeAttributeValue {
  if (value === undefined) return undefined;
  if (typeof value.S === 'string') return value.S;
  if (typeof value.N === 'string') return NumberValue.from(value.N);
  if (value.NULL === true) return null;
  if (typeof value.BOOL === 'boolean') return value.BOOL;
  if (Array.isArray(value.L)) return [];
  if (Array.isArray(value.SS) || Array.isArray(value.NS) || Array.isArray(value.BS)) return new Set();
  if (value.B !== undefined) return new Uint8Array();
  return {};
}

/** The spellings a condition lists for `status`: lower, UPPER and Capitalised (and "" for UPLOADED). */
export function usualSpellings(status: VideoStatus): string[] {
  const lower = statusWord(status);
  const spellings = [lower, status, lower.charAt(0).toUpperCase() + lower.slice(1)];
  return status === 'UPLOADED' ? [...spellings, ''] : spellings;
}

export interface StatusExpression {
  readonly condition: string;
  readonly names: Record<string, string>;
  readonly values: Record<string, NativeAttributeValue>;
}

/** Adds `values` under fresh placeholders `:<prefix>N` and returns the placeholders. */
function placeholders(values: Record<string, NativeAttributeValue>, prefix: string, words: readonly NativeAttributeValue[]): string[] {
  return words.map((word, index) => {
    const placeholder = `:${prefix}${index}`;
    values[placeholder] = word;
    return placeholder;
  });
}

/**
 * A condition that holds when the stored status reads as one of `allowed` and is known,
 * for the usual spellings plus `exactWords` (rarer spellings seen on the item, which the
 * reader accepts). A missing or empty attribute counts as UPLOADED. No allowed status at
 * all is a condition that never holds.
 */
export function statusCondition(allowed: readonly VideoStatus[], exactWords: readonly string[] = []): StatusExpression {
  const values: Record<string, NativeAttributeValue> = {};
  const seen = exactWords.filter((word) => {
    const stored = readStatus(word);
    return stored.known && allowed.includes(stored.status);
  });
  const words = [...new Set([...allowed.flatMap(usualSpellings), ...seen])];
  // "" is compared on its own: `IN` with an empty string never matches on dynalite.
  const alternatives = words.includes('') ? ['attribute_not_exists(#status)', '#status = :fromEmpty'] : [];
  if (alternatives.length > 0) values[':fromEmpty'] = '';
  const spelled = words.filter((word) => word !== '');
  if (spelled.length > 0) alternatives.push(`#status IN (${placeholders(values, 'from', spelled).join(', ')})`);
  const condition = alternatives.length === 0 ? 'attribute_not_exists(videoId)' : alternatives.length === 1 ? alternatives[0]! : `(${alternatives.join(' OR ')})`;
  return { condition, names: { '#status': statusAttribute }, values };
}

/**
 * A FilterExpression selecting at least every item that reads as `status`: for a known
 * status, any string of its length (and a missing or empty one for UPLOADED); for FAILED,
 * any present value that is not a usual spelling of another status. The reader then
 * decides exactly (list-order.ts `matches`), so the lists follow the one rule.
 */
export function statusFilter(status: VideoStatus): StatusExpression {
  const names = { '#status': statusAttribute };
  const values: Record<string, NativeAttributeValue> = {};
  if (status === 'FAILED') {
    const others = videoStatuses.filter((s) => s !== 'FAILED').flatMap(usualSpellings);
    return { condition: `attribute_exists(#status) AND NOT (#status IN (${placeholders(values, 'status', others).join(', ')}))`, names, values };
  }
  values[':statusType'] = 'S';
  values[':statusLength'] = status.length;
  const sameLength = 'attribute_type(#status, :statusType) AND size(#status) = :statusLength';
  if (status !== 'UPLOADED') return { condition: sameLength, names, values };
  values[':emptyStatus'] = '';
  return { condition: `(attribute_not_exists(#status) OR #status = :emptyStatus OR (${sameLength}))`, names, values };
}
