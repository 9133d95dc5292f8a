// The first schema: the `videos` table and the two indexes that make every list page a
// keyset range scan (SPEC §3: cost per page does not grow with depth). Frozen: later
// changes go in new migrations.
import { sql, type Kysely } from 'kysely';

/** Creates the videos table and its newest-first indexes. */
export async function up(db: Kysely<any>): Promise<void> {
  // STRICT: SQLite then refuses a value of the wrong type instead of silently storing,
  // say, a REAL in size_bytes, where precision would be lost.
  await db.schema
    .createTable('videos')
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('video_id', 'text', (c) => c.notNull())
    .addColumn('original_name', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('original_key', 'text', (c) => c.notNull())
    .addColumn('transcoded_key', 'text', (c) => c.notNull())
    .addColumn('thumb_key', 'text', (c) => c.notNull())
    .addColumn('duration_seconds', 'real', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('create_time', 'integer', (c) => c.notNull())
    .addColumn('update_time', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('videos_pk', ['owner_id', 'video_id'])
    .modifyEnd(sql`strict`)
    .execute();

  await db.schema
    .createIndex('videos_owner_newest')
    .on('videos')
    .columns(['owner_id', 'create_time desc', 'video_id desc'])
    .execute();

  await db.schema
    .createIndex('videos_owner_status_newest')
    .on('videos')
    .columns(['owner_id', 'status', 'create_time desc', 'video_id desc'])
    .execute();
}
