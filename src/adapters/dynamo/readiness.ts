// The store's ping, for /readyz and gRPC health. Load balancers probe every second or
// so, from many places; each probe must not become a DynamoDB request, and never a
// control-plane one (AWS advises against frequent DescribeTable calls). So the probe is
// one small data-plane read (a GetItem of a key no video can have, projecting only a
// key: 0.5 read units, eventually consistent), shared by every probe that arrives while
// it is in flight, and a success is remembered for `okForMs` — unless a call finds the
// store unavailable meanwhile (forget()), so real traffic that fails makes the next probe
// ask. A failure is not remembered: a store that comes back is ready at the next probe.
import type { StoreCallOptions } from '../../domain/ports.ts';
import { withinScope } from './call-scope.ts';

/** How long a successful ping answers for later probes without a request. */
export const pingOkForMs = 1_000;
/** The longest a shared ping request may take (a probe with a shorter deadline leaves earlier). */
export const pingTimeoutMs = 2_000;

export class CachedPing {
  private okUntil = 0;
  private inFlight: Promise<void> | undefined;

  constructor(
    /** One readiness request, bounded by the options it is given. */
    private readonly request: (options: StoreCallOptions) => Promise<void>,
    private readonly okForMs = pingOkForMs,
  ) {}

  /** Resolves when the store answered recently or answers now; throws the request's error otherwise. */
  async ping(options?: StoreCallOptions): Promise<void> {
    if (Date.now() < this.okUntil) return;
    this.inFlight ??= this.start();
    const shared = this.inFlight;
    // Each probe waits for the shared request only as long as its own deadline allows.
    await withinScope(options, (scope) =>
      new Promise<void>((resolve, reject) => {
        scope.signal.addEventListener('abort', () => reject(scope.timedOut()), { once: true });
        shared.then(resolve, reject);
      }),
    );
  }

  /** Drops a remembered success: a call has just found the store unavailable. */
  forget(): void {
    this.okUntil = 0;
  }

  private start(): Promise<void> {
    const request = this.request({ deadline: Date.now() + pingTimeoutMs })
      .then(() => {
        this.okUntil = Date.now() + this.okForMs;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    // Every probe may have left by its own deadline; the outcome is then nobody's to see.
    request.catch(() => undefined);
    return request;
  }
}
