// The figures every driver reports, computed one way from per-request latencies.

/** Throughput and latency of one timed run. */
export interface RunFigures {
  /** Requests completed in the timed window. */
  readonly requests: number;
  /** Requests that failed (HTTP status not 2xx, gRPC status not 0, transport error). */
  readonly failed: number;
  readonly reqPerSec: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  readonly maxMs: number;
}

/** The value at quantile `q` (0..1) of sorted values, nearest-rank. */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

/** Figures from latencies in microseconds over a window of `seconds`. */
export function summarise(latenciesUs: Float64Array, seconds: number, failed: number): RunFigures {
  const sorted = latenciesUs.slice().sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    requests: sorted.length,
    failed,
    reqPerSec: Math.round((sorted.length / seconds) * 10) / 10,
    p50Ms: ms(quantile(sorted, 0.5)),
    p90Ms: ms(quantile(sorted, 0.9)),
    p99Ms: ms(quantile(sorted, 0.99)),
    meanMs: ms(sorted.length === 0 ? Number.NaN : sum / sorted.length),
    maxMs: ms(sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1]!),
  };
}
