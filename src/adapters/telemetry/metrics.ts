// Prometheus metrics (SPEC §6, issue 12), served at GET /metrics: calls by procedure and code,
// call latency by procedure, calls in flight, store request latency and failures by
// operation, and prom-client's process defaults. Every metric name lives in this file.
//
// Each server gets its own registry (tests run several servers in one process, and the
// embedding program's own prom-client registry is left alone). The process defaults are the
// exception: they describe the process, not a server, and prom-client's collectors for them
// (a GC observer, an event-loop delay monitor) can never be removed again, so they are
// registered once per process, in a registry of their own that every server's merges in.
//
// Cost per call (issue 12, bench/telemetry-cost.ts): prom-client hashes and validates the
// labels on every inc/observe, ~0.2 µs for a counter and ~0.4 µs for a histogram here. The
// call counter is therefore kept as plain numbers per procedure and code and handed to
// prom-client at scrape time (its `collect` hook); the two latency histograms count into
// plain arrays too (counted-histogram.ts, issue 10), rendered by prom-client's registry.
import type { Code } from '@connectrpc/connect';
import { codeToString } from '@connectrpc/connect/protocol-connect';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { VideoStore } from '../../domain/ports.ts';
import { CountedHistogram } from './counted-histogram.ts';

/** A VideoStore request, by its port method. */
export type StoreOperation = Exclude<keyof VideoStore, 'close'>;

/** Why a store request failed: the store could not answer, or it threw something unexpected. */
export type StoreFailure = 'unavailable' | 'internal';

export interface CallMetrics {
  /** A call began (the call log opened its record). */
  started(): void;
  /** A call ended with `code` after `seconds`. */
  ended(procedure: string, code: Code | 'ok', seconds: number): void;
}

export interface StoreMetrics {
  /** One store request took `seconds`, whatever its outcome. */
  observed(operation: StoreOperation, seconds: number): void;
  failed(operation: StoreOperation, failure: StoreFailure): void;
}

export interface ServiceMetrics {
  readonly calls: CallMetrics;
  readonly store: StoreMetrics;
  /** The Content-Type of render()'s text. */
  readonly contentType: string;
  /** Every metric in the Prometheus text format. */
  render(): Promise<string>;
}

// Calls run from well under a millisecond (a cached read) to a minute (a ClaimVideo long poll).
const callBucketsSeconds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const storeBucketsSeconds = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

// Slot 0 is OK, slot n the Connect code n (1..16); the label is the call log's spelling.
const codeSlots = 17;
const codeLabels = Array.from({ length: codeSlots }, (_, slot) => (slot === 0 ? 'ok' : codeToString(slot as Code)));

let processRegistry: Registry | undefined;

/** The process defaults (CPU, memory, heap, event-loop lag, GC, handles), registered once per process. */
function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** Creates the metrics of one server, in a registry of its own. */
export function createServiceMetrics(): ServiceMetrics {
  const registry = new Registry();
  const registers = [registry];

  const callCounts = new Map<string, Float64Array>();
  let inFlight = 0;
  new Counter({
    name: 'videosvc_rpc_calls_total',
    help: 'RPC calls ended, by procedure and code (the call log\'s spelling: ok, not_found, ...).',
    labelNames: ['procedure', 'code'],
    registers,
    collect() {
      this.reset();
      for (const [procedure, counts] of callCounts) {
        for (let slot = 0; slot < codeSlots; slot++) {
          if (counts[slot]! > 0) this.inc({ procedure, code: codeLabels[slot]! }, counts[slot]!);
        }
      }
    },
  });
  const callSeconds = new CountedHistogram({
    name: 'videosvc_rpc_call_duration_seconds',
    help: 'RPC call latency, from the request\'s arrival to the end of its answer, by procedure.',
    labelName: 'procedure',
    buckets: callBucketsSeconds,
  });
  registry.registerMetric(callSeconds.asMetric());
  new Gauge({
    name: 'videosvc_rpc_calls_in_flight',
    help: 'RPC calls received and not yet answered.',
    registers,
    collect() {
      this.set(inFlight);
    },
  });

  const storeSeconds = new CountedHistogram({
    name: 'videosvc_store_request_duration_seconds',
    help: 'Video store request latency, by operation (the VideoStore port method), failures included.',
    labelName: 'operation',
    buckets: storeBucketsSeconds,
  });
  registry.registerMetric(storeSeconds.asMetric());
  const storeFailures = new Counter({
    name: 'videosvc_store_errors_total',
    help: 'Video store requests that failed, by operation and failure: unavailable (down, throttling, timed out) or internal (unexpected).',
    labelNames: ['operation', 'failure'],
    registers,
  });

  const merged = Registry.merge([processMetrics(), registry]);
  return {
    calls: {
      started() {
        inFlight++;
      },
      ended(procedure, code, seconds) {
        inFlight--;
        let counts = callCounts.get(procedure);
        if (counts === undefined) callCounts.set(procedure, (counts = new Float64Array(codeSlots)));
        counts[code === 'ok' ? 0 : code]!++;
        callSeconds.series(procedure).observe(seconds);
      },
    },
    store: {
      observed(operation, seconds) {
        storeSeconds.series(operation).observe(seconds);
      },
      failed(operation, failure) {
        storeFailures.inc({ operation, failure });
      },
    },
    contentType: merged.contentType,
    render: () => merged.metrics(),
  };
}
