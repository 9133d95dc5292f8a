// The statements behind the store's reads and conditional writes, built with Kysely so
// they are checked against schema.ts. Each builder takes the values to bind, so the same
// code builds a query for one call (tests inspect their query plans) and, with slot()
// placeholders, a shape compiled once for every call (statement-shape.ts).
import type { Kysely } from 'kysely';
import type { ListQuery, Precondition, VideoChange } from '../../domain/ports.ts';
import type { VideoKey } from '../../domain/video.ts';
import { fieldsToColumns, statusToColumn } from './row.ts';
import type { Database, VideoRowChange } from './schema.ts';

/** The values a list page binds: the status and the cursor only when filtered or paging. */
export interface ListPageValues {
  readonly ownerId: string;
  readonly status?: string;
  readonly after?: { readonly createTime: bigint; readonly videoId: string };
  /** Rows to read: the page size plus one. */
  readonly rows: number;
}

/**
 * One page of the newest-first list plus one row, which only says whether more follow.
 * The cursor is a row-value range on the (owner[, status], create_time, video_id) index,
 * so a deep page costs what the first one does (SPEC §3): never OFFSET.
 */
export function listPageSelect(db: Kysely<Database>, values: ListPageValues) {
  let select = db.selectFrom('videos').selectAll().where('owner_id', '=', values.ownerId);
  if (values.status !== undefined) select = select.where('status', '=', values.status);
  const after = values.after;
  if (after !== undefined) {
    select = select.where(({ eb, refTuple, tuple }) =>
      eb(refTuple('create_time', 'video_id'), '<', tuple(after.createTime, after.videoId)),
    );
  }
  return select.orderBy('create_time', 'desc').orderBy('video_id', 'desc').limit(values.rows);
}

/** The list page for one query. */
export function listPageQuery(db: Kysely<Database>, query: ListQuery) {
  return listPageSelect(db, {
    ownerId: query.ownerId,
    status: query.status === undefined ? undefined : statusToColumn(query.status),
    after: query.after === undefined ? undefined : { createTime: BigInt(query.after.createTime.getTime()), videoId: query.after.videoId },
    rows: query.limit + 1,
  });
}

/** The values a conditional write binds; `statusIn` holds stored status words. */
export interface ConditionValues {
  readonly ownerId: string;
  readonly videoId: string;
  readonly version?: bigint;
  readonly statusIn?: readonly string[];
}

/**
 * The whole conditional update in one statement: it changes the row only if the
 * precondition holds, bumps the version and returns the stored result (no row: refused).
 */
export function updateStatement(db: Kysely<Database>, columns: VideoRowChange, updateTime: number, where: ConditionValues) {
  let update = db
    .updateTable('videos')
    .set((eb) => ({ ...columns, version: eb('version', '+', 1n), update_time: updateTime }))
    .where('owner_id', '=', where.ownerId)
    .where('video_id', '=', where.videoId);
  if (where.version !== undefined) update = update.where('version', '=', where.version);
  if (where.statusIn !== undefined) update = update.where('status', 'in', where.statusIn);
  return update.returningAll();
}

/** The conditional delete in one statement; zero rows deleted means refused. */
export function deleteStatement(db: Kysely<Database>, where: ConditionValues) {
  let remove = db.deleteFrom('videos').where('owner_id', '=', where.ownerId).where('video_id', '=', where.videoId);
  if (where.version !== undefined) remove = remove.where('version', '=', where.version);
  if (where.statusIn !== undefined) remove = remove.where('status', 'in', where.statusIn);
  return remove;
}

/** The condition values of a precondition on a key. */
export function conditionValues(key: VideoKey, expect: Precondition): ConditionValues {
  return {
    ownerId: key.ownerId,
    videoId: key.videoId,
    version: expect.version === undefined ? undefined : BigInt(expect.version),
    statusIn: expect.statusIn?.map(statusToColumn),
  };
}

/** The conditional update for one call. */
export function conditionalUpdate(db: Kysely<Database>, key: VideoKey, change: VideoChange, expect: Precondition) {
  return updateStatement(db, fieldsToColumns(change.fields), change.updateTime.getTime(), conditionValues(key, expect));
}

/** The conditional delete for one call. */
export function conditionalDelete(db: Kysely<Database>, key: VideoKey, expect: Precondition) {
  return deleteStatement(db, conditionValues(key, expect));
}
