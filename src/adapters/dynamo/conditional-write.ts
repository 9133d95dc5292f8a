// The retry loop around one conditional write (update or delete): send it, and when its
// condition fails, find out why and throw the domain error — or, when the item turns out
// to satisfy the precondition after all, send it again (a few times at most, and never
// past the call's deadline). One request on the success path; no read before a write.
import { StoreUnavailable } from '../../domain/errors.ts';
import type { Precondition } from '../../domain/ports.ts';
import type { VideoKey, VideoStatus } from '../../domain/video.ts';
import type { CallScope } from './call-scope.ts';
import { diagnose, type CurrentState } from './conditions.ts';
import { errorName, toStoreError } from './errors.ts';
import { fromItem, type Item } from './item.ts';
import { statusFromAttributeValue } from './status.ts';

// A failed condition whose re-read shows the precondition holding means the item changed
// in between (or holds a rarer status spelling); the write is tried again, a few times at most.
const maxConditionAttempts = 3;

type LowLevelItem = Record<string, Record<string, unknown> | undefined>;

export interface ConditionalWrite<T> {
  readonly key: VideoKey;
  readonly expect: Precondition;
  /** The status the write sets, named in an IllegalTransition (DELETED for a delete). */
  readonly requestedStatus: VideoStatus | undefined;
  /** The DynamoDB operation, for error messages. */
  readonly operation: string;
  readonly table: string;
  /** Sends the write once; `seenStatusWords` are exact stored spellings its condition must also accept. */
  send(seenStatusWords: readonly string[]): Promise<T>;
  /** A consistent read of the item, when DynamoDB returned no old item with the failure. */
  read(): Promise<Item | undefined>;
}

/** Runs `write` to success, or throws NotFound / StaleEtag / IllegalTransition / StoreUnavailable. */
export async function writeConditionally<T>(write: ConditionalWrite<T>, scope: CallScope): Promise<T> {
  const seenStatusWords: string[] = [];
  for (let attempt = 1; ; attempt++) {
    scope.check();
    try {
      return await write.send(seenStatusWords);
    } catch (err) {
      if (errorName(err) !== 'ConditionalCheckFailedException') throw toStoreError(err, write.table, write.operation);
      const current = await currentState(err, write);
      const reason = diagnose(write.key, current, write.expect, write.requestedStatus);
      if (reason !== undefined) throw reason;
      if (attempt >= maxConditionAttempts) {
        throw new StoreUnavailable('the video changed repeatedly while being written; retry', { cause: err });
      }
      if (typeof current?.status === 'string') seenStatusWords.push(current.status);
    }
  }
}

/**
 * What the item holds after a failed condition: from the old item where DynamoDB returns
 * it with the error (ReturnValuesOnConditionCheckFailure); otherwise — dynalite, or the
 * item is gone — from one consistent GetItem.
 */
async function currentState(err: unknown, write: ConditionalWrite<unknown>): Promise<CurrentState | undefined> {
  const raw = (err as { Item?: LowLevelItem }).Item;
  if (raw !== undefined) return { version: Number(raw.version?.N ?? 0), status: statusFromAttributeValue(raw.status) };
  const item = await write.read();
  return item === undefined ? undefined : { version: fromItem(item).version, status: item.status };
}
