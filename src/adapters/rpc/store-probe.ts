// Whether the store answers, bounded in time: used by /readyz and the health service,
// so a hung store reads as "not ready" instead of hanging the probe. Concurrent probes
// of one store share a single ping, so a flood of /readyz or Health calls cannot pile
// pings (writes, on SQLite) up behind a slow store.
import type { StoreCallOptions } from '../../domain/ports.ts';

/** How long a readiness probe waits for the store's ping. */
export const probeTimeoutMs = 1_000;

type Ping = (options?: StoreCallOptions) => Promise<void>;

const running = new WeakMap<Ping, Promise<boolean>>();

async function probeOnce(ping: Ping, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    const answered = ping({ deadline: Date.now() + timeoutMs }).then(
      () => true,
      () => false,
    );
    return await Promise.race([answered, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Resolves true when `ping` succeeds within `timeoutMs`, false on failure or timeout.
 * The ping is told the deadline; a probe already running for the same `ping` is joined.
 */
export function storeReachable(ping: Ping, timeoutMs = probeTimeoutMs): Promise<boolean> {
  let shared = running.get(ping);
  if (shared === undefined) {
    shared = probeOnce(ping, timeoutMs).finally(() => running.delete(ping));
    running.set(ping, shared);
  }
  return shared;
}
