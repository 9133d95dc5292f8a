// What metrics and traces (issue 12) add to one call: the call log's hooks (the call's
// counts, latency, in-flight gauge, and its server span from a traceparent) and the measuring
// store decorator around one store read, with no OpenTelemetry SDK registered (the default)
// and with one (every span recorded and handed to an exporter).
// Run: npx tsx bench/telemetry-cost.ts
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { createServiceMetrics } from '../src/adapters/telemetry/metrics.ts';
import { observedStore } from '../src/adapters/telemetry/observed-store.ts';
import { endCallTrace, inCallContext, traceCall } from '../src/adapters/telemetry/tracing.ts';
import type { VideoStore } from '../src/domain/ports.ts';

const rounds = 200_000;
const procedure = '/video.v1.VideoService/GetVideo';
const headers = {
  ':method': 'POST',
  ':path': procedure,
  'content-type': 'application/grpc',
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
};

let quiet = false;

async function nsPerCall(label: string, run: () => unknown): Promise<number> {
  for (let i = 0; i < rounds / 10; i++) await run(); // warm-up
  const started = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) await run();
  const ns = Number(process.hrtime.bigint() - started) / rounds;
  if (!quiet) console.log(`${label.padEnd(58)} ${ns.toFixed(0).padStart(6)} ns per call`);
  return ns;
}

const metrics = createServiceMetrics();
/** What the call log adds per call: metrics at its start and end, the server span. */
function callHooks(): void {
  metrics.calls.started();
  const callTrace = traceCall(procedure, headers);
  metrics.calls.ended(procedure, 'ok', 0.001);
  if (callTrace !== undefined) endCallTrace(callTrace, 'ok', undefined);
}

// A store whose read costs nothing, so only the decorator is measured.
const answered = Promise.resolve(undefined);
const bareStore = { get: () => answered } as unknown as VideoStore;
const measuredStore = observedStore(bareStore, metrics.store, 'bench');
const key = { ownerId: 'alice', videoId: '01a21073-e94b-7791-9ee6-4b3bf8727f1d' };

async function measure(sdk: string): Promise<void> {
  if (!quiet) console.log(`-- ${sdk}`);
  const empty = await nsPerCall('an empty await (the loop itself)', () => answered);
  const hooks = await nsPerCall('call hooks: metrics + server span from traceparent', callHooks);
  const bare = await nsPerCall('store.get, bare', () => bareStore.get(key));
  const measured = await nsPerCall('store.get, measured (outside a call)', () => measuredStore.get(key));
  const inCall = await nsPerCall('call hooks + store.get measured in the call\'s context', () => {
    metrics.calls.started();
    const callTrace = traceCall(procedure, headers);
    const read = callTrace === undefined ? measuredStore.get(key) : inCallContext(callTrace, measuredStore.get, measuredStore, key);
    return read.then(() => {
      metrics.calls.ended(procedure, 'ok', 0.001);
      if (callTrace !== undefined) endCallTrace(callTrace, 'ok', undefined);
    });
  });
  if (!quiet) console.log(`   added per call: hooks ${(hooks - empty).toFixed(0)} ns, store decorator ${(measured - bare).toFixed(0)} ns, both with a traced store read ${(inCall - bare).toFixed(0)} ns`);
}

// One silent pass first, so every loop below runs optimized code (the first timed loop would
// otherwise carry the JIT's warm-up and make the baseline slower than what follows).
quiet = true;
await measure('warm-up');
quiet = false;
await measure('no OpenTelemetry SDK registered (the default)');
// An exporter that drops every span at once: the SDK's own cost, without memory growing.
const exporter: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => undefined };
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
await measure('OpenTelemetry SDK registered: every span recorded, an exporter that drops them');
