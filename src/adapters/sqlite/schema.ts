// Kysely's view of today's SQLite schema. Migrations never import this file (STYLE §6):
// they describe the schema as it was when they were written.
import type { ColumnType, Insertable, Selectable, Updateable } from 'kysely';

/**
 * An INTEGER column. The store reads with better-sqlite3's safe integers on, so every
 * INTEGER comes back as a bigint; writes take a plain number (or a bigint).
 */
type Integer = ColumnType<bigint, number | bigint, number | bigint>;

/** The `videos` table: one row per video, primary key (owner_id, video_id). */
export interface VideosTable {
  owner_id: string;
  video_id: string;
  original_name: string;
  title: string;
  /** Lowercase lifecycle word, as in the DynamoDB items: uploaded, transcoding, … */
  status: string;
  original_key: string;
  transcoded_key: string;
  thumb_key: string;
  duration_seconds: number;
  format: string;
  width: Integer;
  height: Integer;
  /** uint64 stored as its two's-complement int64 (see row.ts). */
  size_bytes: Integer;
  /** JSON object text, `{}` when there are none. */
  labels: string;
  /** Epoch milliseconds. */
  create_time: Integer;
  update_time: Integer;
  version: Integer;
  /** "" when nothing says why (migration 0002). */
  failure_reason: string;
  /** The claim's worker, NULL when the video has no claim (migration 0003). */
  claim_worker: string | null;
  /** Epoch milliseconds; NULL exactly when claim_worker is. */
  claim_expire_time: ColumnType<bigint | null, number | bigint | null, number | bigint | null>;
  attempt_count: Integer;
  /** Epoch milliseconds from which the video waits to be claimed; NULL when it does not (migration 0004). */
  ready_time: ColumnType<bigint | null, number | bigint | null, number | bigint | null>;
}

/** Every table the store queries. */
export interface Database {
  videos: VideosTable;
}

/** A row as read back. */
export type VideoRow = Selectable<VideosTable>;
/** A row as written by create. */
export type NewVideoRow = Insertable<VideosTable>;
/** The columns an update may set. */
export type VideoRowChange = Updateable<VideosTable>;
