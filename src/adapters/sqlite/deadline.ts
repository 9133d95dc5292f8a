// The StoreCallOptions rules for the synchronous reads on the main thread. A read cannot
// be interrupted once it runs (better-sqlite3 is synchronous), so the store checks before
// (a call already past its deadline or cancelled does not read) and after (a read that
// ended past the deadline is not answered as if it were in time).
import { StoreUnavailable } from '../../domain/errors.ts';
import type { StoreCallOptions } from '../../domain/ports.ts';

/** Throws StoreUnavailable if the call was cancelled or its deadline has passed. */
export function checkInTime(options: StoreCallOptions | undefined): void {
  if (options === undefined) return;
  if (options.signal?.aborted) throw new StoreUnavailable('the store call was cancelled');
  if (options.deadline !== undefined && Date.now() >= options.deadline) {
    throw new StoreUnavailable('the video store did not answer in time; retry later');
  }
}
