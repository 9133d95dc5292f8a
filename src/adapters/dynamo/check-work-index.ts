// Start-up check of the work index (SPEC §9): ClaimVideo runs on it or not at all. A
// missing or still-building index is a warning naming the fix, and claims answer
// FAILED_PRECONDITION naming it too, while everything else is served; an index of that
// name shaped otherwise stops start-up, as a wrongly shaped owner-and-status index does.
import type { TableDescription } from '@aws-sdk/client-dynamodb';
import { DynamoSetupError } from './errors.ts';
import { workIndexAttributes, workIndexProjection } from './work-index.ts';

export const createWorkIndexCommand = '`videosvc dynamo create-index --work`';
export const backfillWorkCommand = '`videosvc dynamo backfill-work`';

export interface WorkIndexCheck {
  /** Why claims cannot run (the message ClaimVideo answers with); undefined when they can. */
  readonly unusable?: string;
  /** Logged once at start. */
  readonly warning?: string;
}

/** Checks the index `workIndex` in `description` (no request of its own). */
export function checkWorkIndex(description: TableDescription | undefined, names: { table: string; workIndex: string }): WorkIndexCheck {
  const { table, workIndex } = names;
  const index = description?.GlobalSecondaryIndexes?.find((candidate) => candidate.IndexName === workIndex);
  if (index === undefined) {
    const unusable = `work claiming needs the work index "${workIndex}" on DynamoDB table "${table}": run ${createWorkIndexCommand}, then ${backfillWorkCommand}, and restart the service`;
    return { unusable, warning: `DynamoDB table "${table}" has no work index "${workIndex}", so ClaimVideo answers FAILED_PRECONDITION; run ${createWorkIndexCommand}, then ${backfillWorkCommand}, and restart (or set DYNAMO_WORK_INDEX)` };
  }
  const hash = index.KeySchema?.find((key) => key.KeyType === 'HASH')?.AttributeName;
  const range = index.KeySchema?.find((key) => key.KeyType === 'RANGE')?.AttributeName;
  const projection = index.Projection?.ProjectionType;
  const projected = new Set(index.Projection?.NonKeyAttributes ?? []);
  const projectsEnough = projection === 'ALL' || (projection === 'INCLUDE' && workIndexProjection.every((attribute) => projected.has(attribute)));
  if (hash !== workIndexAttributes.shard || range !== workIndexAttributes.readyAt || !projectsEnough) {
    throw new DynamoSetupError(
      `DynamoDB index "${workIndex}" on table "${table}" is not the work index (expected ${workIndexAttributes.shard} HASH, ${workIndexAttributes.readyAt} RANGE, projecting ${workIndexProjection.join(', ')}); set DYNAMO_WORK_INDEX to another name for ${createWorkIndexCommand}`,
    );
  }
  if (index.IndexStatus !== undefined && index.IndexStatus !== 'ACTIVE') {
    // DynamoDB refuses Queries on an index that is still being built.
    return {
      unusable: `the work index "${workIndex}" on DynamoDB table "${table}" is ${index.IndexStatus}; claims work once it is ACTIVE and the service has restarted (${createWorkIndexCommand} reports its status)`,
      warning: `DynamoDB index "${workIndex}" is ${index.IndexStatus}, so ClaimVideo answers FAILED_PRECONDITION until the service restarts after it is ACTIVE`,
    };
  }
  return {};
}
