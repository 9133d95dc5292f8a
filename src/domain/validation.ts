// SPEC §1 rules, one small function per rule family. Each failure throws
// InvalidArgument naming the proto field and the rule; nothing is truncated.
import { InvalidArgument } from './errors.ts';
import { videoStatuses, type VideoFields, type VideoStatus } from './video.ts';

export const limits = {
  ownerIdMaxChars: 128,
  originalNameMaxChars: 255,
  titleMaxChars: 300,
  objectKeyMaxChars: 1024,
  formatMaxChars: 32,
  dimensionMax: 65_535,
  sizeBytesMax: 2n ** 64n - 1n,
  labelsMaxEntries: 64,
  labelKeyMaxChars: 63,
  labelValueMaxChars: 256,
  failureReasonMaxChars: 1024,
} as const;

/**
 * What a client sends for a video's settable fields: every field of VideoFields, optional,
 * nothing checked yet; the status as a name (an unknown enum number, say, is refused).
 */
export type VideoDraft = { [K in keyof VideoFields]?: K extends 'status' ? string : VideoFields[K] };

const ownerIdPattern = /^[A-Za-z0-9._@-]+$/;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const labelKeyPattern = /^[a-z][a-z0-9_-]*$/;
const controlCharacter = /\p{Cc}/u;

/** Length in Unicode code points, so an emoji counts as one character, as a person would count. */
export function characterCount(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

function checkLength(field: string, text: string, min: number, max: number): void {
  const count = characterCount(text);
  if (count < min) throw new InvalidArgument(field, min === 1 ? 'required' : `at least ${min} characters`);
  if (count > max) throw new InvalidArgument(field, `at most ${max} characters`);
}

/** owner_id: 1..128 characters of [A-Za-z0-9._@-]. */
export function checkOwnerId(ownerId: string, field = 'owner_id'): string {
  checkLength(field, ownerId, 1, limits.ownerIdMaxChars);
  if (!ownerIdPattern.test(ownerId)) throw new InvalidArgument(field, 'only letters, digits and . _ @ - are allowed');
  return ownerId;
}

/** video_id: a UUID in lowercase canonical text (RFC 9562). */
export function checkVideoId(videoId: string, field = 'video_id'): string {
  if (videoId === '') throw new InvalidArgument(field, 'required');
  if (!uuidPattern.test(videoId)) {
    throw new InvalidArgument(field, 'must be a UUID in lowercase canonical form (8-4-4-4-12 hex digits)');
  }
  return videoId;
}

/** status: one of the five lifecycle states (UNSPECIFIED is not a state). */
export function checkStatus(status: string, field = 'status'): VideoStatus {
  if ((videoStatuses as readonly string[]).includes(status)) return status as VideoStatus;
  if (status === '' || status === 'VIDEO_STATUS_UNSPECIFIED') throw new InvalidArgument(field, 'required');
  throw new InvalidArgument(field, `unknown status ${status}; expected one of ${videoStatuses.join(', ')}`);
}

/** Text of `min`..`max` characters with no control character (original_name, failure_reason). */
function checkPlainText(field: string, text: string, min: number, max: number): string {
  checkLength(field, text, min, max);
  if (controlCharacter.test(text)) throw new InvalidArgument(field, 'must not contain control characters');
  return text;
}

function checkDuration(seconds: number): void {
  if (!Number.isFinite(seconds)) throw new InvalidArgument('duration_seconds', 'must be a finite number');
  if (seconds < 0) throw new InvalidArgument('duration_seconds', 'must be at least 0');
}

function checkDimension(field: string, pixels: number): void {
  if (!Number.isInteger(pixels) || pixels < 0 || pixels > limits.dimensionMax) {
    throw new InvalidArgument(field, `must be a whole number from 0 to ${limits.dimensionMax}`);
  }
}

function checkSizeBytes(bytes: bigint): void {
  if (bytes < 0n || bytes > limits.sizeBytesMax) {
    throw new InvalidArgument('size_bytes', `must be from 0 to ${limits.sizeBytesMax}`);
  }
}

/** labels: at most 64 entries; key 1..63 of [a-z0-9_-] starting with a letter; value 0..256 characters. */
export function checkLabels(labels: Readonly<Record<string, string>>): void {
  const keys = Object.keys(labels);
  if (keys.length > limits.labelsMaxEntries) {
    throw new InvalidArgument('labels', `at most ${limits.labelsMaxEntries} entries`);
  }
  for (const key of keys) {
    if (key.length === 0 || key.length > limits.labelKeyMaxChars) {
      throw new InvalidArgument('labels', `key "${key.slice(0, 80)}" must be 1 to ${limits.labelKeyMaxChars} characters`);
    }
    if (!labelKeyPattern.test(key)) {
      throw new InvalidArgument('labels', `key "${key}" must start with a lowercase letter and hold only a-z 0-9 _ -`);
    }
    if (characterCount(labels[key] ?? '') > limits.labelValueMaxChars) {
      throw new InvalidArgument('labels', `value of "${key}" must be at most ${limits.labelValueMaxChars} characters`);
    }
  }
}

/** One checker per settable field, in the order their errors take precedence. */
const fieldChecks: { readonly [K in keyof VideoFields]-?: (value: NonNullable<VideoDraft[K]>) => VideoFields[K] } = {
  originalName: (name) => checkPlainText('original_name', name, 1, limits.originalNameMaxChars),
  title: (title) => checkedText('title', title, limits.titleMaxChars),
  status: (status) => checkStatus(status),
  originalKey: (key) => checkedText('original_key', key, limits.objectKeyMaxChars),
  transcodedKey: (key) => checkedText('transcoded_key', key, limits.objectKeyMaxChars),
  thumbKey: (key) => checkedText('thumb_key', key, limits.objectKeyMaxChars),
  durationSeconds: (seconds) => {
    checkDuration(seconds);
    return seconds;
  },
  format: (format) => checkedText('format', format, limits.formatMaxChars),
  width: (pixels) => {
    checkDimension('width', pixels);
    return pixels;
  },
  height: (pixels) => {
    checkDimension('height', pixels);
    return pixels;
  },
  sizeBytes: (bytes) => {
    checkSizeBytes(bytes);
    return bytes;
  },
  labels: (labels) => {
    checkLabels(labels);
    return { ...labels };
  },
  failureReason: (reason) => checkPlainText('failure_reason', reason, 0, limits.failureReasonMaxChars),
};
const settableFields = Object.keys(fieldChecks) as Array<keyof VideoFields>;

function checkedText(field: string, text: string, max: number): string {
  checkLength(field, text, 0, max);
  return text;
}

/**
 * Checks every field the draft carries against SPEC §1 and returns them typed.
 * Absent fields stay absent; a create fills defaults afterwards (see newVideo).
 */
export function checkFields(draft: VideoDraft): Partial<VideoFields> {
  const checked: { -readonly [K in keyof VideoFields]?: VideoFields[K] } = {};
  for (const field of settableFields) {
    const value = draft[field];
    if (value !== undefined) (checked as Record<string, unknown>)[field] = fieldChecks[field](value as never);
  }
  return checked;
}
