// The statements behind the store's reads and conditional writes, built with Kysely so
// they are checked against schema.ts. Each builder takes the values to bind, so the same
// code builds a query for one call (tests inspect their query plans) and, with slot()
// placeholders, a shape compiled once for every call (statement-shape.ts).
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { exhaustedReasonParts, statusChangeGroups } from '../../domain/claim.ts';
import type { ListQuery, Precondition, VideoChange } from '../../domain/ports.ts';
import { videoStatuses, type VideoKey, type VideoStatus } from '../../domain/video.ts';
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

/**
 * What a change of the status to `to` does beyond the status (claim.ts), as SET expressions
 * that read the row's old status, so the one UPDATE does it for whatever status it finds:
 * the claim cleared for every change to another status (only a TRANSCODING video has one),
 * the attempts and the failure reason of a retry, and the work queue position (0004): an
 * UPLOADED video keeps its place, one that becomes UPLOADED waits from `updateTime`, a
 * TRANSCODING one keeps its claim's expiry (a plain update makes no claim), others leave.
 */
export function statusChangeColumns(to: VideoStatus, setsFailureReason: boolean, updateTime: unknown): Record<string, RawBuilder<unknown>> {
  const groups = statusChangeGroups(videoStatuses, to, setsFailureReason);
  const fromAny = (pick: (group: (typeof groups)[number]) => boolean) => groups.filter(pick).flatMap((group) => group.from);
  const oldStatusIn = (from: readonly VideoStatus[]) => sql`${sql.ref('status')} in (${sql.join(from.map((status) => sql.lit(statusToColumn(status))))})`;
  const columns: Record<string, RawBuilder<unknown>> = {};
  if (groups.some((group) => group.effects.clearClaim)) {
    columns.claim_worker = sql`null`;
    columns.claim_expire_time = sql`null`;
  }
  const resetFrom = fromAny((group) => group.effects.resetAttempts);
  if (resetFrom.length > 0) columns.attempt_count = sql`case when ${oldStatusIn(resetFrom)} then 0 else ${sql.ref('attempt_count')} end`;
  const clearReasonFrom = fromAny((group) => group.effects.clearFailureReason);
  if (clearReasonFrom.length > 0) columns.failure_reason = sql`case when ${oldStatusIn(clearReasonFrom)} then '' else ${sql.ref('failure_reason')} end`;
  if (to === 'UPLOADED') columns.ready_time = sql`case when ${oldStatusIn(['UPLOADED'])} then ${sql.ref('ready_time')} else ${updateTime} end`;
  else if (to === 'TRANSCODING') columns.ready_time = sql`case when ${oldStatusIn(['TRANSCODING'])} then ${sql.ref('ready_time')} else null end`;
  else columns.ready_time = sql`null`;
  return columns;
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
  const to = change.fields.status;
  const updateTime = change.updateTime.getTime();
  const columns = { ...fieldsToColumns(change.fields), ...(to === undefined ? {} : statusChangeColumns(to, change.fields.failureReason !== undefined, updateTime)) };
  return updateStatement(db, columns as VideoRowChange, updateTime, conditionValues(key, expect));
}

/** The conditional delete for one call. */
export function conditionalDelete(db: Kysely<Database>, key: VideoKey, expect: Precondition) {
  return deleteStatement(db, conditionValues(key, expect));
}

/** The values a claim binds (ClaimGrant in SQLite units). */
export interface ClaimValues {
  readonly workerId: string;
  /** Epoch ms. */
  readonly now: number;
  readonly expireTime: number;
  readonly maxAttempts: number;
}

/**
 * The head of the work queue (migration 0004): the claimable video that has waited
 * longest, ties by key. ready_time ≤ now is exactly "claimable" (claim.ts isClaimable),
 * since only UPLOADED and claimed TRANSCODING rows have one; the partial index gives the
 * rows in this order, so finding the head reads one index entry.
 */
function queueHead(db: Kysely<Database>, now: unknown) {
  return db
    .selectFrom('videos')
    .select(sql<number>`rowid`.as('rowid'))
    .where('ready_time', 'is not', null)
    .where('ready_time', '<=', now as never)
    .orderBy('ready_time')
    .orderBy('owner_id')
    .orderBy('video_id')
    .limit(1);
}

/**
 * The claim in one statement (claim.ts `claimed`): the queue's head, if its attempts are
 * not exhausted, becomes TRANSCODING under the worker's claim, one attempt more, waiting
 * again from the claim's expiry. No row back: the queue is empty or its head is exhausted.
 */
export function claimStatement(db: Kysely<Database>, values: ClaimValues) {
  return db
    .updateTable('videos')
    .set((eb) => ({
      status: statusToColumn('TRANSCODING'),
      claim_worker: values.workerId,
      claim_expire_time: values.expireTime,
      attempt_count: eb('attempt_count', '+', 1n),
      ready_time: values.expireTime,
      version: eb('version', '+', 1n),
      update_time: values.now,
    }))
    .where(sql<boolean>`rowid = (${queueHead(db, values.now)})`)
    .where('attempt_count', '<', values.maxAttempts as never)
    .returningAll();
}

/**
 * The queue's head failed for its attempts (claim.ts `exhaustedReason`, built in SQL from
 * its parts around the stored count), with what a change to FAILED does (statusChangeColumns).
 * No row back: the head is not exhausted, or there is none.
 */
export function failExhaustedHeadStatement(db: Kysely<Database>, values: Omit<ClaimValues, 'workerId' | 'expireTime'>) {
  const reason = sql<string>`${exhaustedReasonParts[0]} || ${sql.ref('attempt_count')} || ${exhaustedReasonParts[1]}`;
  return db
    .updateTable('videos')
    .set((eb) => ({
      ...statusChangeColumns('FAILED', true, values.now),
      status: statusToColumn('FAILED'),
      failure_reason: reason,
      version: eb('version', '+', 1n),
      update_time: values.now,
    }))
    .where(sql<boolean>`rowid = (${queueHead(db, values.now)})`)
    .where('attempt_count', '>=', values.maxAttempts as never)
    .returningAll();
}

/** The values a renewal binds (ClaimRenewal in SQLite units). */
export interface RenewValues {
  readonly ownerId: string;
  readonly videoId: string;
  readonly workerId: string;
  readonly now: number;
  readonly expireTime: number;
}

/**
 * The renewal in one statement (claim.ts `renewed`): only a TRANSCODING row under a live
 * claim of the worker is extended; it waits again from the new expiry.
 */
export function renewStatement(db: Kysely<Database>, values: RenewValues) {
  return db
    .updateTable('videos')
    .set((eb) => ({
      claim_expire_time: values.expireTime,
      ready_time: values.expireTime,
      version: eb('version', '+', 1n),
      update_time: values.now,
    }))
    .where('owner_id', '=', values.ownerId)
    .where('video_id', '=', values.videoId)
    .where('status', '=', statusToColumn('TRANSCODING'))
    .where('claim_worker', '=', values.workerId)
    .where('claim_expire_time', '>', values.now as never)
    .returningAll();
}
