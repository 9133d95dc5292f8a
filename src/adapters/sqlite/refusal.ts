// Why a conditional write changed nothing. Read only after a refusal, inside the same
// transaction as the write, so the reason given matches the row the write saw.
import type { Kysely } from 'kysely';
import { FailedPrecondition, IllegalTransition, NotFound, StaleEtag, type VideoError } from '../../domain/errors.ts';
import type { Precondition } from '../../domain/ports.ts';
import type { VideoKey, VideoStatus } from '../../domain/video.ts';
import { statusFromColumn } from './row.ts';
import type { Database } from './schema.ts';

/**
 * The domain error for a refused write, in the port's order: NotFound, then StaleEtag,
 * then IllegalTransition (or FailedPrecondition when no new status was asked for).
 */
export async function refusalReason(
  db: Kysely<Database>,
  key: VideoKey,
  expect: Precondition,
  requestedStatus?: VideoStatus,
): Promise<VideoError> {
  const current = await db
    .selectFrom('videos')
    .select(['version', 'status'])
    .where('owner_id', '=', key.ownerId)
    .where('video_id', '=', key.videoId)
    .executeTakeFirst();
  if (current === undefined) return NotFound.video(key);
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
