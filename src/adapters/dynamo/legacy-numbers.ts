// Numbers read from items the older application wrote, clamped into their SPEC §1 ranges.
// That writer checked nothing, so a stored width may be negative, fractional, beyond
// uint32 or a numeric string; sizeBytes may be negative or beyond uint64. Such a value
// must never fail a read (GetVideo, or a whole list page, would become INTERNAL when the
// message is encoded), and a read never rewrites the item: the clamped value is what
// the service shows, and only a later update that names the field stores a new one.
import { NumberValue, type NativeAttributeValue } from '@aws-sdk/lib-dynamodb';

/** SPEC §1: width and height are 0..65535 (0 = unknown). */
export const maxDimension = 65_535;
/** SPEC §1: size_bytes is a uint64. */
export const maxSizeBytes = 2n ** 64n - 1n;

/** The decimal text of a stored number (an N, or a numeric string an older writer left), trimmed. */
export function numberText(value: NativeAttributeValue): string | undefined {
  if (value instanceof NumberValue) return value.value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  // An older writer may have stored a number as a string ("1920"); it still means the number.
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  return undefined;
}

/** The value as a double: ±Infinity beyond the double range, NaN when it is no number. */
function double(value: NativeAttributeValue): number {
  const text = numberText(value);
  return text === undefined ? 0 : Number(text);
}

/** A width or height: whole, 0..65535; no number at all reads as 0 (unknown). */
export function dimension(value: NativeAttributeValue): number {
  const parsed = double(value);
  if (Number.isNaN(parsed) || parsed <= 0) return 0;
  return Math.min(maxDimension, Math.trunc(parsed));
}

/** A duration in seconds: finite and ≥ 0; beyond the double range reads as the largest double. */
export function nonNegativeSeconds(value: NativeAttributeValue): number {
  const parsed = double(value);
  if (Number.isNaN(parsed) || parsed <= 0) return 0;
  return Math.min(parsed, Number.MAX_VALUE);
}

// Decimal text as DynamoDB or a person writes it: sign, digits, fraction, exponent.
const decimal = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * A byte count: the whole part of the stored number, 0..2^64−1. Exact for every uint64
 * (no double in between); negative or no number reads as 0, beyond uint64 as the maximum.
 */
export function byteCount(value: NativeAttributeValue): bigint {
  const text = numberText(value);
  const match = text === undefined ? null : decimal.exec(text);
  if (match === null) return 0n;
  const [, sign, whole = '', fraction = '', exponentText = '0'] = match;
  const digits = (whole + fraction).replace(/^0+/, '');
  if (digits === '' || sign === '-') return 0n;
  // The integer part is the digits with the point moved `exponent - fraction.length` places.
  const shift = Number(exponentText) - fraction.length;
  const wholeDigits = digits.length + shift;
  if (wholeDigits <= 0) return 0n;
  if (wholeDigits > 20) return maxSizeBytes; // 2^64−1 has 20 digits
  const integer = shift >= 0 ? BigInt(digits) * 10n ** BigInt(shift) : BigInt(digits.slice(0, wholeDigits));
  return integer > maxSizeBytes ? maxSizeBytes : integer;
}
