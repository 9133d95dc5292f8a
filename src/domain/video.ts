// The Video entity (SPEC §1): plain, immutable data. Rules live in validation.ts and
// lifecycle.ts; this file only says what a video holds.
import type { Claim } from './claim.ts';
import { mapsEveryField } from './exhaustive.ts';

/** Processing states, in lifecycle order (SPEC §2). */
export const videoStatuses = ['UPLOADED', 'TRANSCODING', 'TRANSCODED', 'COMPLETED', 'FAILED'] as const;
export type VideoStatus = (typeof videoStatuses)[number];

/** A video's identity: the pair (owner, video). */
export interface VideoKey {
  readonly ownerId: string;
  readonly videoId: string;
}

/** Every field a client may set, at create or through an update mask. */
export interface VideoFields {
  readonly originalName: string;
  readonly title: string;
  readonly status: VideoStatus;
  readonly originalKey: string;
  readonly transcodedKey: string;
  readonly thumbKey: string;
  readonly durationSeconds: number;
  readonly format: string;
  readonly width: number;
  readonly height: number;
  /** uint64 in the contract, so a bigint here: no value is rounded. */
  readonly sizeBytes: bigint;
  readonly labels: Readonly<Record<string, string>>;
  /** Why processing failed; "" when nothing says. */
  readonly failureReason: string;
}

/** A stored video: its key, its fields and what the service maintains. */
export interface Video extends VideoKey, VideoFields {
  /** Millisecond precision (SPEC §1). */
  readonly createTime: Date;
  readonly updateTime: Date;
  /** Bumped by every successful write; 0 for items the older application wrote. */
  readonly version: number;
  /** The live or last claim of a worker while TRANSCODING (SPEC §9); undefined otherwise. */
  readonly claim: Claim | undefined;
  /** Claims since the video was created or last retried (SPEC §9). */
  readonly attemptCount: number;
}

/** The names of the fields an update mask may name, in proto (snake_case) spelling. */
export const mutablePaths = {
  title: 'title',
  status: 'status',
  original_name: 'originalName',
  original_key: 'originalKey',
  transcoded_key: 'transcodedKey',
  thumb_key: 'thumbKey',
  duration_seconds: 'durationSeconds',
  format: 'format',
  width: 'width',
  height: 'height',
  size_bytes: 'sizeBytes',
  labels: 'labels',
  failure_reason: 'failureReason',
} as const satisfies Record<string, keyof VideoFields>;
export type MutablePath = keyof typeof mutablePaths;
// Every settable field has its path.
mapsEveryField<Exclude<keyof VideoFields, (typeof mutablePaths)[MutablePath]>>();

/** The etag a client sees for a stored version. Opaque to clients; `"v"` keeps it from looking like a count. */
export function etagOf(version: number): string {
  return `v${version}`;
}

/** The version an etag names, or undefined when the text is no etag this service issued. */
export function versionOfEtag(etag: string): number | undefined {
  const match = /^v(0|[1-9]\d{0,15})$/.exec(etag);
  return match ? Number(match[1]) : undefined;
}

/** Truncates a time to whole milliseconds: what every store keeps. */
export function toMillisecond(time: Date): Date {
  return new Date(Math.trunc(time.getTime()));
}
