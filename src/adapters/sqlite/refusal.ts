// Why a conditional write changed nothing. The read runs only after a refusal, inside the
// same transaction as the write (on the writer), so the reason given matches the row the
// write saw; the domain error is built here, on the main thread, from that row.
import type { Kysely } from 'kysely';
import { FailedPrecondition, IllegalTransition, NotFound, StaleEtag, type VideoError } from '../../domain/errors.ts';
import type { Precondition } from '../../domain/ports.ts';
import type { VideoKey, VideoStatus } from '../../domain/video.ts';
import { statusFromColumn } from './row.ts';
import type { Database } from './schema.ts';

/** What the refusal read returns: the row's version and status, if the row exists. */
export interface RefusalRow {
  readonly version: bigint | number;
  readonly status: string;
}

/** The read that explains a refusal: the current version and status of the video. */
export function refusalQuery(db: Kysely<Database>, key: VideoKey) {
  return db
    .selectFrom('videos')
    .select(['version', 'status'])
    .where('owner_id', '=', key.ownerId)
    .where('video_id', '=', key.videoId);
}

/**
 * The domain error for a refused write, in the port's order: NotFound, then StaleEtag,
 * then IllegalTransition (or FailedPrecondition when no new status was asked for).
 */
export function refusalReason(
  current: RefusalRow | null | undefined,
  key: VideoKey,
  expect: Precondition,
  requestedStatus?: VideoStatus,
): VideoError {
  if (current === undefined || current === null) return NotFound.video(key);
  if (expect.version !== undefined && Number(current.version) !== expect.version) return new StaleEtag();
  const status = statusFromColumn(current.status);
  if (expect.statusIn !== undefined && !expect.statusIn.includes(status)) {
    if (requestedStatus !== undefined) return new IllegalTransition(status, requestedStatus);
    return new FailedPrecondition(`status: the video is ${status}, expected one of ${expect.statusIn.join(', ')}`);
  }
  // The row now satisfies the precondition, yet the write (in this same transaction)
  // did not apply: that would be a bug here, not a caller's mistake.
  throw new Error('sqlite store: a conditional write was refused although its precondition holds');
}
