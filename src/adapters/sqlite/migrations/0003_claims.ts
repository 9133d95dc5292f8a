// The claim and attempt count of work claiming (SPEC §9, issue 11). Frozen: later changes go
// in new migrations.
import { sql, type Kysely } from 'kysely';

/** Adds the claim (worker and expiry, NULL when none) and the attempt count (0 for every existing video). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('videos').addColumn('claim_worker', 'text').execute();
  await db.schema.alterTable('videos').addColumn('claim_expire_time', 'integer').execute();
  await db.schema
    .alterTable('videos')
    .addColumn('attempt_count', 'integer', (c) => c.notNull().defaultTo(sql`0`))
    .execute();
}
