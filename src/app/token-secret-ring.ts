// Keeps the token secrets fresh so a rotation needs no restart (SPEC §4): loaded once at
// start (a failure stops start-up), refreshed periodically, and re-read on demand after
// a signature failure at most once per gap, so bad tokens cannot hammer the source.
import type { TokenSecretRing, TokenSecretSource, TokenSecrets } from '../domain/ports.ts';

export interface TokenSecretRingOptions {
  /** How often to re-read the source in the background; 0 turns it off. Default 5 minutes. */
  readonly refreshIntervalMs?: number;
  /** The least time between on-demand re-reads (refreshAfterFailure). Default 10 seconds. */
  readonly minRefreshGapMs?: number;
  /** Milliseconds now; injectable for tests. */
  readonly clock?: () => number;
  /** Told about a failed refresh (the last good secrets stay in force). Errors from sources are ConfigErrors without secret values. */
  readonly onRefreshError?: (error: unknown) => void;
}

export const defaultRefreshIntervalMs = 5 * 60_000;
export const defaultMinRefreshGapMs = 10_000;

/** Loads `source` once (errors propagate) and returns a ring that keeps it fresh. */
export async function openTokenSecretRing(
  source: TokenSecretSource,
  options: TokenSecretRingOptions = {},
): Promise<TokenSecretRing> {
  const clock = options.clock ?? Date.now;
  const minGapMs = options.minRefreshGapMs ?? defaultMinRefreshGapMs;
  const intervalMs = options.refreshIntervalMs ?? defaultRefreshIntervalMs;
  const report = (error: unknown) => {
    try {
      options.onRefreshError?.(error);
    } catch {
      // A faulty reporter must not turn a failed refresh into a crash.
    }
  };

  let secrets = freeze(await source.load());
  let lastReadAt = clock();
  let inFlight: Promise<boolean> | undefined;
  let closed = false;

  // Single-flight: callers arriving while a read is under way share its answer.
  const refresh = (): Promise<boolean> => {
    inFlight ??= (async () => {
      lastReadAt = clock();
      try {
        const loaded = await source.load();
        if (sameSecrets(loaded, secrets)) return false;
        // A new object only when the bytes differ: verifiers empty caches on identity change.
        secrets = freeze(loaded);
        return true;
      } catch (error) {
        report(error);
        return false;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };

  const timer = intervalMs > 0 ? setInterval(() => void refresh(), intervalMs) : undefined;
  timer?.unref(); // never keeps the process alive on its own

  return {
    secrets: () => secrets,
    async refreshAfterFailure() {
      if (closed) return false;
      if (inFlight !== undefined) return inFlight;
      if (clock() - lastReadAt < minGapMs) return false;
      return refresh();
    },
    close() {
      closed = true;
      if (timer !== undefined) clearInterval(timer);
    },
  };
}

function freeze(secrets: TokenSecrets): TokenSecrets {
  return Object.freeze(
    secrets.previous === undefined
      ? { current: secrets.current }
      : { current: secrets.current, previous: secrets.previous },
  );
}

function sameSecrets(a: TokenSecrets, b: TokenSecrets): boolean {
  return sameBytes(a.current, b.current) && sameBytes(a.previous, b.previous);
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}
