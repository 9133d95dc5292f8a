// failure_reason (SPEC §1, issue 11): why processing failed, "" when nothing says. Frozen:
// later changes go in new migrations.
import { sql, type Kysely } from 'kysely';

/** Adds the failure_reason column; every existing video reads as having none. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('videos')
    .addColumn('failure_reason', 'text', (c) => c.notNull().defaultTo(sql`''`))
    .execute();
}
