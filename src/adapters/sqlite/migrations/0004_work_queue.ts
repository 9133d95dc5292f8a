// The queue of work claiming (SPEC §9, issue 11): ready_time is the instant from which a
// video waits to be claimed (claim.ts `readyTimeAfterWrite`): an UPLOADED video's since it
// became UPLOADED, a claimed video's when its claim expires; NULL for every other video.
// The partial index holds only those, in claim order (oldest waiting first, then the key),
// so finding the next claimable video reads one index entry however large the table.
// Frozen: later changes go in new migrations.
import { sql, type Kysely } from 'kysely';

/** Adds ready_time and its index; existing UPLOADED videos wait from their last update. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('videos').addColumn('ready_time', 'integer').execute();
  await sql`update videos set ready_time = update_time where status = 'uploaded'`.execute(db);
  await sql`update videos set ready_time = claim_expire_time where status = 'transcoding' and claim_expire_time is not null`.execute(db);
  await db.schema
    .createIndex('videos_work_queue')
    .on('videos')
    .columns(['ready_time', 'owner_id', 'video_id'])
    .where(sql.ref('ready_time'), 'is not', null)
    .execute();
}
