// Every migration, listed in code (STYLE §6) so start-up needs no file-system lookup.
// Names sort in the order they run; add new ones at the end.
import type { Migration } from 'kysely';
import * as videos0001 from './0001_videos.ts';
import * as failureReason0002 from './0002_failure_reason.ts';
import * as claims0003 from './0003_claims.ts';
import * as workQueue0004 from './0004_work_queue.ts';

/** All migrations this build knows, keyed by name. */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001_videos': videos0001,
  '0002_failure_reason': failureReason0002,
  '0003_claims': claims0003,
  '0004_work_queue': workQueue0004,
};

/** The newest schema version this build knows. */
export const latestMigration = Object.keys(migrations).sort().at(-1) ?? '';
