// The statements behind the store's reads and conditional writes, built with Kysely so
// they are checked against schema.ts. Exported so tests can inspect their query plans.
import type { Kysely } from 'kysely';
import type { ListQuery, Precondition, VideoChange } from '../../domain/ports.ts';
import type { VideoKey } from '../../domain/video.ts';
import { fieldsToColumns, statusToColumn } from './row.ts';
import type { Database } from './schema.ts';

/**
 * One page of the newest-first list plus one row, which only says whether more follow.
 * The cursor is a row-value range on the (owner[, status], create_time, video_id) index,
 * so a deep page costs what the first one does (SPEC §3): never OFFSET.
 */
export function listPageQuery(db: Kysely<Database>, query: ListQuery) {
  let select = db.selectFrom('videos').selectAll().where('owner_id', '=', query.ownerId);
  if (query.status !== undefined) select = select.where('status', '=', statusToColumn(query.status));
  const after = query.after;
  if (after !== undefined) {
    select = select.where(({ eb, refTuple, tuple }) =>
      eb(refTuple('create_time', 'video_id'), '<', tuple(BigInt(after.createTime.getTime()), after.videoId)),
    );
  }
  return select.orderBy('create_time', 'desc').orderBy('video_id', 'desc').limit(query.limit + 1);
}

/**
 * The whole conditional update in one statement: it changes the row only if the
 * precondition holds, bumps the version and returns the stored result (no row: refused).
 */
export function conditionalUpdate(db: Kysely<Database>, key: VideoKey, change: VideoChange, expect: Precondition) {
  let update = db
    .updateTable('videos')
    .set((eb) => ({
      ...fieldsToColumns(change.fields),
      version: eb('version', '+', 1n),
      update_time: change.updateTime.getTime(),
    }))
    .where('owner_id', '=', key.ownerId)
    .where('video_id', '=', key.videoId);
  if (expect.version !== undefined) update = update.where('version', '=', BigInt(expect.version));
  if (expect.statusIn !== undefined) update = update.where('status', 'in', expect.statusIn.map(statusToColumn));
  return update.returningAll();
}

/** The conditional delete in one statement; zero rows deleted means refused. */
export function conditionalDelete(db: Kysely<Database>, key: VideoKey, expect: Precondition) {
  let remove = db.deleteFrom('videos').where('owner_id', '=', key.ownerId).where('video_id', '=', key.videoId);
  if (expect.version !== undefined) remove = remove.where('version', '=', BigInt(expect.version));
  if (expect.statusIn !== undefined) remove = remove.where('status', 'in', expect.statusIn.map(statusToColumn));
  return remove;
}
