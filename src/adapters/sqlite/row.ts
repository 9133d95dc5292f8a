// Video ⇄ row mapping for the `videos` table.
import { readyTimeAfterWrite } from '../../domain/claim.ts';
import { videoStatuses, type Video, type VideoFields, type VideoStatus } from '../../domain/video.ts';
import type { NewVideoRow, VideoRow, VideoRowChange } from './schema.ts';

/** The stored spelling of a status: the lowercase word, as in the DynamoDB items (SPEC §1). */
export function statusToColumn(status: VideoStatus): string {
  return status.toLowerCase();
}

/** The status a stored lowercase word names; an unknown word is corrupt data. */
export function statusFromColumn(stored: string): VideoStatus {
  const status = stored.toUpperCase();
  if ((videoStatuses as readonly string[]).includes(status)) return status as VideoStatus;
  throw new Error(`videos row has unknown status "${stored}"`);
}

// size_bytes is a uint64, but an SQLite INTEGER is a signed int64. Storing the same 64
// bits as a signed value (values from 2^63 up become negative) and reading them back as
// unsigned makes every value 0..2^64-1 round-trip exactly; a REAL or a text column would
// either round or stop sorting numerically. Nothing orders or filters by size, so the
// sign flip above 2^63 costs nothing.
function sizeToColumn(sizeBytes: bigint): bigint {
  return BigInt.asIntN(64, sizeBytes);
}

function sizeFromColumn(stored: bigint): bigint {
  return BigInt.asUintN(64, stored);
}

function labelsFromColumn(stored: string): Record<string, string> {
  const labels: unknown = JSON.parse(stored);
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
    throw new Error('videos row has labels that are not a JSON object');
  }
  return labels as Record<string, string>;
}

/** The row that stores `video`. */
export function toRow(video: Video): NewVideoRow {
  return {
    owner_id: video.ownerId,
    video_id: video.videoId,
    original_name: video.originalName,
    title: video.title,
    status: statusToColumn(video.status),
    original_key: video.originalKey,
    transcoded_key: video.transcodedKey,
    thumb_key: video.thumbKey,
    duration_seconds: video.durationSeconds,
    format: video.format,
    width: video.width,
    height: video.height,
    size_bytes: sizeToColumn(video.sizeBytes),
    labels: JSON.stringify(video.labels),
    create_time: video.createTime.getTime(),
    update_time: video.updateTime.getTime(),
    version: video.version,
    failure_reason: video.failureReason,
    claim_worker: video.claim?.workerId ?? null,
    claim_expire_time: video.claim?.expireTime.getTime() ?? null,
    attempt_count: video.attemptCount,
    // A video stored anew waits from its creation; updates keep this in SQL (queries.ts statusChangeColumns).
    ready_time: readyTimeAfterWrite(undefined, video, video.createTime)?.getTime() ?? null,
  };
}

/** How each settable field is written into an update's columns (a field missing here is a type error). */
const fieldColumns: { readonly [K in keyof VideoFields]-?: (value: VideoFields[K], columns: VideoRowChange) => void } = {
  originalName: (value, columns) => void (columns.original_name = value),
  title: (value, columns) => void (columns.title = value),
  status: (value, columns) => void (columns.status = statusToColumn(value)),
  originalKey: (value, columns) => void (columns.original_key = value),
  transcodedKey: (value, columns) => void (columns.transcoded_key = value),
  thumbKey: (value, columns) => void (columns.thumb_key = value),
  durationSeconds: (value, columns) => void (columns.duration_seconds = value),
  format: (value, columns) => void (columns.format = value),
  width: (value, columns) => void (columns.width = value),
  height: (value, columns) => void (columns.height = value),
  sizeBytes: (value, columns) => void (columns.size_bytes = sizeToColumn(value)),
  labels: (value, columns) => void (columns.labels = JSON.stringify(value)),
  failureReason: (value, columns) => void (columns.failure_reason = value),
};
const settableFields = Object.keys(fieldColumns) as Array<keyof VideoFields>;

/** The columns that store the given fields; absent fields are left out. */
export function fieldsToColumns(fields: Partial<VideoFields>): VideoRowChange {
  const columns: VideoRowChange = {};
  for (const field of settableFields) {
    const value = fields[field];
    if (value !== undefined) fieldColumns[field](value as never, columns);
  }
  return columns;
}

/** The video a row stores. Rows are read with safe integers, so INTEGER columns arrive as bigint. */
export function fromRow(row: VideoRow): Video {
  return {
    ownerId: row.owner_id,
    videoId: row.video_id,
    originalName: row.original_name,
    title: row.title,
    status: statusFromColumn(row.status),
    originalKey: row.original_key,
    transcodedKey: row.transcoded_key,
    thumbKey: row.thumb_key,
    durationSeconds: row.duration_seconds,
    format: row.format,
    width: Number(row.width),
    height: Number(row.height),
    sizeBytes: sizeFromColumn(row.size_bytes),
    labels: labelsFromColumn(row.labels),
    failureReason: row.failure_reason,
    createTime: new Date(Number(row.create_time)),
    updateTime: new Date(Number(row.update_time)),
    version: Number(row.version),
    claim:
      row.claim_worker === null || row.claim_expire_time === null
        ? undefined
        : { workerId: row.claim_worker, expireTime: new Date(Number(row.claim_expire_time)) },
    attemptCount: Number(row.attempt_count),
  };
}

/** Where each column of a `videos` row sits in a statement's result (raw, array mode). */
export type ColumnPositions = Readonly<Record<keyof VideoRow, number>>;

// Every column of a row (a column missing here is a type error).
const rowColumnSet = {
  owner_id: true,
  video_id: true,
  original_name: true,
  title: true,
  status: true,
  original_key: true,
  transcoded_key: true,
  thumb_key: true,
  duration_seconds: true,
  format: true,
  width: true,
  height: true,
  size_bytes: true,
  labels: true,
  create_time: true,
  update_time: true,
  version: true,
  failure_reason: true,
  claim_worker: true,
  claim_expire_time: true,
  attempt_count: true,
  ready_time: true,
} as const satisfies Record<keyof VideoRow, true>;
const rowColumns = Object.keys(rowColumnSet) as Array<keyof VideoRow>;

/** The positions of every row column among a statement's result columns; throws if one is missing. */
export function columnPositions(names: readonly string[]): ColumnPositions {
  const positions: Partial<Record<keyof VideoRow, number>> = {};
  for (const column of rowColumns) {
    const index = names.indexOf(column);
    if (index === -1) throw new Error(`sqlite statement does not return the column ${column}`);
    positions[column] = index;
  }
  return positions as ColumnPositions;
}

/**
 * The row a statement returned in raw (array) mode. better-sqlite3 builds an array far
 * faster than an object with named properties (about a third of the time for a page of
 * 50), and a literal built here costs next to nothing.
 */
export function rowFromValues(values: readonly unknown[], at: ColumnPositions): VideoRow {
  return {
    owner_id: values[at.owner_id] as string,
    video_id: values[at.video_id] as string,
    original_name: values[at.original_name] as string,
    title: values[at.title] as string,
    status: values[at.status] as string,
    original_key: values[at.original_key] as string,
    transcoded_key: values[at.transcoded_key] as string,
    thumb_key: values[at.thumb_key] as string,
    duration_seconds: values[at.duration_seconds] as number,
    format: values[at.format] as string,
    width: values[at.width] as bigint,
    height: values[at.height] as bigint,
    size_bytes: values[at.size_bytes] as bigint,
    labels: values[at.labels] as string,
    create_time: values[at.create_time] as bigint,
    update_time: values[at.update_time] as bigint,
    version: values[at.version] as bigint,
    failure_reason: values[at.failure_reason] as string,
    claim_worker: values[at.claim_worker] as string | null,
    claim_expire_time: values[at.claim_expire_time] as bigint | null,
    attempt_count: values[at.attempt_count] as bigint,
    ready_time: values[at.ready_time] as bigint | null,
  };
}
