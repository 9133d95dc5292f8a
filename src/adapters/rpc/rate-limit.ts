// Per-caller rate limits (SPEC §6, issue 9 item 6): one token bucket per authenticated
// caller (the token's `sub`), so one noisy caller is refused with RESOURCE_EXHAUSTED and
// a RetryInfo while every other caller is still served. Health and reflection carry no
// caller and are bounded elsewhere (the public-stream limits).

export interface CallerRateLimitOptions {
  /** Sustained calls per second per caller; 0 turns the limit off. */
  readonly perSecond: number;
  /** The bucket's size: calls a rested caller may make at once. */
  readonly burst: number;
  /** Most buckets kept; at the cap the least recently used one is dropped. Default 100 000. */
  readonly maxBuckets?: number;
  /** Monotonic milliseconds; injectable for tests. */
  readonly now?: () => number;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date. */
  atMs: number;
}

export interface CallerRateLimiter {
  /** Takes one call from `caller`'s bucket: 0 when allowed, else the milliseconds until one is available. */
  take(caller: string): number;
  /** Buckets held now (for tests and metrics). */
  readonly size: number;
}

/** Default cap on buckets held: ~100 bytes each plus the caller id, so ~20 MiB at worst. */
export const defaultMaxBuckets = 100_000;
// Buckets checked for idleness per call: amortised sweeping keeps the map small without a timer.
const sweepPerCall = 4;

/** Creates the token buckets. A full bucket is the same as no bucket, so full idle ones are dropped. */
export function createCallerRateLimiter(options: CallerRateLimitOptions): CallerRateLimiter {
  const now = options.now ?? (() => performance.now());
  const maxBuckets = options.maxBuckets ?? defaultMaxBuckets;
  const perMs = options.perSecond / 1000;
  const burst = Math.max(1, options.burst);
  // Insertion order is the order of last use (a taken bucket is re-inserted), so the
  // front holds the buckets idle the longest: the first to have refilled.
  const buckets = new Map<string, Bucket>();

  const refilled = (bucket: Bucket, atMs: number): number => Math.min(burst, bucket.tokens + (atMs - bucket.atMs) * perMs);

  function sweep(atMs: number): void {
    let checked = 0;
    for (const [caller, bucket] of buckets) {
      if (checked++ >= sweepPerCall) break;
      if (refilled(bucket, atMs) < burst) break;
      buckets.delete(caller);
    }
    while (buckets.size >= maxBuckets) buckets.delete(buckets.keys().next().value as string);
  }

  return {
    take(caller) {
      if (options.perSecond <= 0) return 0;
      const atMs = now();
      const found = buckets.get(caller);
      buckets.delete(caller);
      sweep(atMs);
      const bucket = found === undefined ? { tokens: burst, atMs } : { tokens: refilled(found, atMs), atMs };
      buckets.set(caller, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.ceil((1 - bucket.tokens) / perMs);
    },
    get size() {
      return buckets.size;
    },
  };
}
