// The store's writes as compiled statements for the writer: the SQL of each shape built
// by Kysely once and kept, the parameters filled per call (statement-shape.ts says why).
// The writer prepares each SQL text once on its own connection (write-executor.ts).
import type { Kysely } from 'kysely';
import type { ClaimGrant, ClaimRenewal, Precondition, VideoChange } from '../../domain/ports.ts';
import type { Video, VideoKey } from '../../domain/video.ts';
import {
  claimStatement,
  conditionValues,
  deleteStatement,
  failExhaustedHeadStatement,
  renewStatement,
  statusChangeColumns,
  updateStatement,
  type ConditionValues,
} from './queries.ts';
import { refusalQuery } from './refusal.ts';
import { fieldsToColumns, toRow } from './row.ts';
import type { Database, VideoRowChange } from './schema.ts';
import { shapeOf, slot, type StatementShape } from './statement-shape.ts';
import type { ClaimProgram, CompiledStatement } from './writer-protocol.ts';

// The most exhausted videos one claim fails before it answers; the next claim goes on.
const maxFailedPerClaim = 100;

// Update shapes differ by the set of fields and the precondition: a few dozen in practice.
const maxCachedShapes = 256;

/** Builds the compiled statements of creates, conditional updates and deletes. */
export class WriteStatements {
  readonly #db: Kysely<Database>;
  readonly #cache = new Map<string, StatementShape>();

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** INSERT … ON CONFLICT DO NOTHING RETURNING *: no row back means the key was taken. */
  create(video: Video): CompiledStatement {
    const row: Record<string, unknown> = toRow(video);
    const shape = this.#shape('create', () => {
      const slots = Object.fromEntries(Object.keys(row).map((column) => [column, slot(column)]));
      return this.#db
        .insertInto('videos')
        .values(slots as never)
        .onConflict((conflict) => conflict.columns(['owner_id', 'video_id']).doNothing())
        .returningAll();
    });
    return { sql: shape.sql, parameters: shape.bind(row) };
  }

  update(key: VideoKey, change: VideoChange, expect: Precondition): CompiledStatement {
    const columns: Record<string, unknown> = fieldsToColumns(change.fields);
    const where = conditionValues(key, expect);
    const names = Object.keys(columns);
    const to = change.fields.status;
    const setsFailureReason = change.fields.failureReason !== undefined;
    const shape = this.#shape(`update:${names.join(',')}:${conditionKey(where)}:${to ?? ''}`, () => {
      const slots: Record<string, unknown> = Object.fromEntries(names.map((column) => [column, slot(`set:${column}`)]));
      if (to !== undefined) Object.assign(slots, statusChangeColumns(to, setsFailureReason, slot('updateTime')));
      return updateStatement(this.#db, slots as VideoRowChange, slot('updateTime'), conditionSlots(where));
    });
    const values: Record<string, unknown> = { ...conditionBindings(where), updateTime: change.updateTime.getTime() };
    for (const name of names) values[`set:${name}`] = columns[name];
    return { sql: shape.sql, parameters: shape.bind(values) };
  }

  delete(key: VideoKey, expect: Precondition): CompiledStatement {
    const where = conditionValues(key, expect);
    const shape = this.#shape(`delete:${conditionKey(where)}`, () => deleteStatement(this.#db, conditionSlots(where)));
    return { sql: shape.sql, parameters: shape.bind(conditionBindings(where)) };
  }

  /** A claim of the queue's head, failing exhausted heads on the way (ClaimProgram). */
  claim(grant: ClaimGrant): ClaimProgram {
    const values = {
      workerId: grant.workerId,
      now: grant.now.getTime(),
      expireTime: grant.expireTime.getTime(),
      maxAttempts: grant.maxAttempts,
    };
    const claim = this.#shape('claim', () =>
      claimStatement(this.#db, { workerId: slot('workerId'), now: slot('now'), expireTime: slot('expireTime'), maxAttempts: slot('maxAttempts') }),
    );
    const failHead = this.#shape('claim:fail-head', () =>
      failExhaustedHeadStatement(this.#db, { now: slot('now'), maxAttempts: slot('maxAttempts') }),
    );
    return {
      kind: 'claim',
      claim: { sql: claim.sql, parameters: claim.bind(values) },
      failHead: { sql: failHead.sql, parameters: failHead.bind(values) },
      maxFailed: maxFailedPerClaim,
    };
  }

  /** The renewal of a live claim; no row back means refused (the refusal read says whether it exists). */
  renew(key: VideoKey, renewal: ClaimRenewal): CompiledStatement {
    const shape = this.#shape('renew', () =>
      renewStatement(this.#db, {
        ownerId: slot('ownerId'),
        videoId: slot('videoId'),
        workerId: slot('workerId'),
        now: slot('now'),
        expireTime: slot('expireTime'),
      }),
    );
    const values = { ...key, workerId: renewal.workerId, now: renewal.now.getTime(), expireTime: renewal.expireTime.getTime() };
    return { sql: shape.sql, parameters: shape.bind(values) };
  }

  /** The read that explains a refused update or delete. */
  refusal(key: VideoKey): CompiledStatement {
    const shape = this.#shape('refusal', () =>
      refusalQuery(this.#db, { ownerId: slot('ownerId'), videoId: slot('videoId') }),
    );
    return { sql: shape.sql, parameters: shape.bind(key) };
  }

  #shape(name: string, build: () => Parameters<typeof shapeOf>[0]): StatementShape {
    let shape = this.#cache.get(name);
    if (shape === undefined) {
      if (this.#cache.size >= maxCachedShapes) this.#cache.clear();
      shape = shapeOf(build());
      this.#cache.set(name, shape);
    }
    return shape;
  }
}

// What makes two preconditions one shape: whether a version is expected and how many statuses.
function conditionKey(where: ConditionValues): string {
  return `${where.version !== undefined}:${where.statusIn?.length ?? '-'}`;
}

function conditionSlots(where: ConditionValues): ConditionValues {
  return {
    ownerId: slot('ownerId'),
    videoId: slot('videoId'),
    version: where.version === undefined ? undefined : slot('version'),
    statusIn: where.statusIn?.map((_, index) => slot<string>(`status${index}`)),
  };
}

function conditionBindings(where: ConditionValues): Record<string, unknown> {
  const values: Record<string, unknown> = { ownerId: where.ownerId, videoId: where.videoId, version: where.version };
  where.statusIn?.forEach((status, index) => (values[`status${index}`] = status));
  return values;
}
