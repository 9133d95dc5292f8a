// Video ⇄ row mapping for the `videos` table.
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
  };
}

/** The columns that store the given fields; absent fields are left out. */
export function fieldsToColumns(fields: Partial<VideoFields>): VideoRowChange {
  const columns: VideoRowChange = {};
  if (fields.originalName !== undefined) columns.original_name = fields.originalName;
  if (fields.title !== undefined) columns.title = fields.title;
  if (fields.status !== undefined) columns.status = statusToColumn(fields.status);
  if (fields.originalKey !== undefined) columns.original_key = fields.originalKey;
  if (fields.transcodedKey !== undefined) columns.transcoded_key = fields.transcodedKey;
  if (fields.thumbKey !== undefined) columns.thumb_key = fields.thumbKey;
  if (fields.durationSeconds !== undefined) columns.duration_seconds = fields.durationSeconds;
  if (fields.format !== undefined) columns.format = fields.format;
  if (fields.width !== undefined) columns.width = fields.width;
  if (fields.height !== undefined) columns.height = fields.height;
  if (fields.sizeBytes !== undefined) columns.size_bytes = sizeToColumn(fields.sizeBytes);
  if (fields.labels !== undefined) columns.labels = JSON.stringify(fields.labels);
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
    createTime: new Date(Number(row.create_time)),
    updateTime: new Date(Number(row.update_time)),
    version: Number(row.version),
  };
}

/** Where each column of a `videos` row sits in a statement's result (raw, array mode). */
export type ColumnPositions = Readonly<Record<keyof VideoRow, number>>;

const rowColumns: ReadonlyArray<keyof VideoRow> = [
  'owner_id',
  'video_id',
  'original_name',
  'title',
  'status',
  'original_key',
  'transcoded_key',
  'thumb_key',
  'duration_seconds',
  'format',
  'width',
  'height',
  'size_bytes',
  'labels',
  'create_time',
  'update_time',
  'version',
];

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
  };
}
