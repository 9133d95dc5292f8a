// A VideoStore decorator that measures every store request (issue 12): its latency and
// failures by operation (metrics.ts) and, inside a traced call, a child span of the call's
// span (tracing.ts). The composition root wraps whichever store it opened, so SQLite and
// DynamoDB are measured alike and neither adapter knows about telemetry.
import { StoreUnavailable, VideoError } from '../../domain/errors.ts';
import type { VideoStore } from '../../domain/ports.ts';
import type { StoreFailure, StoreMetrics, StoreOperation } from './metrics.ts';
import { inStoreSpan, startStoreSpan, storeSpanFailed } from './tracing.ts';

/**
 * A domain outcome a store reports on purpose (NotFound, AlreadyExists, StaleEtag, ...) is an
 * answer, not a failure; StoreUnavailable is the store failing to answer; anything else is a bug.
 */
function failureOf(error: unknown): StoreFailure | undefined {
  if (error instanceof StoreUnavailable) return 'unavailable';
  return error instanceof VideoError ? undefined : 'internal';
}

/** `store` measured; `storeKind` (sqlite, dynamodb) names the store on its spans. */
export function observedStore(store: VideoStore, metrics: StoreMetrics, storeKind: string): VideoStore {
  return new ObservedVideoStore(store, metrics, storeKind);
}

class ObservedVideoStore implements VideoStore {
  constructor(
    private readonly store: VideoStore,
    private readonly metrics: StoreMetrics,
    private readonly storeKind: string,
  ) {}

  create(...args: Parameters<VideoStore['create']>) {
    return this.#observe('create', this.store.create, args);
  }
  get(...args: Parameters<VideoStore['get']>) {
    return this.#observe('get', this.store.get, args);
  }
  getMany(...args: Parameters<VideoStore['getMany']>) {
    return this.#observe('getMany', this.store.getMany, args);
  }
  list(...args: Parameters<VideoStore['list']>) {
    return this.#observe('list', this.store.list, args);
  }
  update(...args: Parameters<VideoStore['update']>) {
    return this.#observe('update', this.store.update, args);
  }
  delete(...args: Parameters<VideoStore['delete']>) {
    return this.#observe('delete', this.store.delete, args);
  }
  claimNext(...args: Parameters<VideoStore['claimNext']>) {
    return this.#observe('claimNext', this.store.claimNext, args);
  }
  renewClaim(...args: Parameters<VideoStore['renewClaim']>) {
    return this.#observe('renewClaim', this.store.renewClaim, args);
  }
  ping(...args: Parameters<VideoStore['ping']>) {
    return this.#observe('ping', this.store.ping, args);
  }
  close() {
    return this.store.close();
  }

  /** Calls the store's `method` with `args`, timed, counted and (inside a traced call) spanned. */
  async #observe<A extends unknown[], R>(operation: StoreOperation, method: (...args: A) => Promise<R>, args: A): Promise<R> {
    const startedNs = process.hrtime.bigint();
    const span = startStoreSpan(operation, this.storeKind);
    try {
      return await (span === undefined ? method.apply(this.store, args) : inStoreSpan(span, method, this.store, args));
    } catch (error) {
      const failure = failureOf(error);
      if (failure !== undefined) {
        this.metrics.failed(operation, failure);
        if (span !== undefined) storeSpanFailed(span, error);
      }
      throw error;
    } finally {
      this.metrics.observed(operation, Number(process.hrtime.bigint() - startedNs) / 1e9);
      span?.end();
    }
  }
}
