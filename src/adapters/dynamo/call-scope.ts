// What bounds one store call on DynamoDB (StoreCallOptions): the caller's signal and its
// deadline, combined into the one AbortSignal every SDK send carries. The SDK aborts the
// request in flight and its retry backoff on that signal; the adapter's own retries (a
// condition that raced, unprocessed batch keys) ask the scope before each new attempt.
// Running out of time is StoreUnavailable — the store did not answer in time — which the
// transport turns into DEADLINE_EXCEEDED when the client's own deadline has passed.
import { setMaxListeners } from 'node:events';
import { StoreUnavailable, VideoError } from '../../domain/errors.ts';
import type { StoreCallOptions } from '../../domain/ports.ts';
import { DynamoRequestFailed } from './errors.ts';

// setTimeout fires at once for a delay beyond a signed 32-bit count of milliseconds.
const maxTimerMs = 2 ** 31 - 1;

export class CallScope {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly onCallerAbort = () => this.controller.abort();

  constructor(private readonly options: StoreCallOptions = {}) {
    // Every request in flight listens on the signal, and a claim reads all 16 work index
    // shards at once (claim-queue.ts): more than Node's default of 10 is expected, not a leak.
    setMaxListeners(64, this.controller.signal);
    const { deadline, signal } = options;
    if (signal?.aborted) this.controller.abort();
    else signal?.addEventListener('abort', this.onCallerAbort, { once: true });
    // A deadline that is no number, or beyond what a timer holds (~24.8 days), bounds nothing.
    const remaining = deadline === undefined ? NaN : deadline - Date.now();
    if (!this.controller.signal.aborted && !Number.isNaN(remaining)) {
      if (remaining <= 0) this.controller.abort();
      else if (remaining <= maxTimerMs) this.timer = setTimeout(() => this.controller.abort(), remaining).unref();
    }
  }

  /** The signal to hand the SDK (`send(command, { abortSignal })`). */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The SDK's per-call options. */
  get send(): { abortSignal: AbortSignal } {
    return { abortSignal: this.controller.signal };
  }

  get expired(): boolean {
    return this.controller.signal.aborted;
  }

  /** The error a call that ran out of time (or was abandoned by its caller) ends with. */
  timedOut(cause?: unknown): StoreUnavailable {
    const why = this.options.signal?.aborted ? 'the call was cancelled' : 'the call reached its deadline';
    return new StoreUnavailable(`the video store (DynamoDB) did not answer: ${why}; retry later`, { cause });
  }

  /** Throws StoreUnavailable when no time is left; called before every new attempt. */
  check(): void {
    if (this.expired) throw this.timedOut();
  }

  /** Waits `ms`, or throws StoreUnavailable as soon as the scope ends. */
  async sleep(ms: number): Promise<void> {
    this.check();
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.signal.addEventListener('abort', done, { once: true });
    });
    this.check();
  }

  /** Releases the timer and the listener on the caller's signal. */
  end(): void {
    clearTimeout(this.timer);
    this.options.signal?.removeEventListener('abort', this.onCallerAbort);
  }
}

/**
 * Runs `call` inside a scope for `options`. Once the scope has ended, whatever the call
 * throws for lack of an answer (the SDK's AbortError, already translated or not) becomes
 * the scope's StoreUnavailable; a domain answer that arrived in time stays what it is.
 */
export async function withinScope<T>(options: StoreCallOptions | undefined, call: (scope: CallScope) => Promise<T>): Promise<T> {
  const scope = new CallScope(options);
  try {
    scope.check();
    return await call(scope);
  } catch (err) {
    if (scope.expired && isNoAnswer(err)) throw scope.timedOut(err);
    throw err;
  } finally {
    scope.end();
  }
}

/**
 * Errors that mean the store gave no answer in time, as opposed to an answer (NotFound,
 * StaleEtag …): a StoreUnavailable, or an error that is no domain error at all (an SDK
 * AbortError), or a request refused because it was cut off.
 */
function isNoAnswer(err: unknown): boolean {
  return err instanceof StoreUnavailable || err instanceof DynamoRequestFailed || !(err instanceof VideoError);
}
