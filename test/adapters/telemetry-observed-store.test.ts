// The measuring store decorator (issue 12) over a real SQLite store: every request timed by
// operation; a store that cannot answer (closed: StoreUnavailable) or throws something
// unexpected counted as a failure; a domain answer (NotFound) not; inside a recorded span,
// each request is a child span, marked failed when the store failed.
import { context, propagation, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteVideoStore } from '../../src/adapters/sqlite/store.ts';
import { createServiceMetrics } from '../../src/adapters/telemetry/metrics.ts';
import { observedStore } from '../../src/adapters/telemetry/observed-store.ts';
import { NotFound, StoreUnavailable } from '../../src/domain/errors.ts';
import { corruptStoreMessage, faultyStore } from '../support/faulty-store.ts';
import { parseSamples, sampleValue } from '../support/prometheus-text.ts';

const key = { ownerId: 'alice', videoId: '01a21073-e94b-7791-9ee6-4b3bf8727f1d' };

async function samplesOf(metrics: ReturnType<typeof createServiceMetrics>) {
  return parseSamples(await metrics.render());
}

describe('the measured store', () => {
  it('times every request by operation and counts only failures: unavailable and internal, not NotFound', async () => {
    const metrics = createServiceMetrics();
    const sqlite = await SqliteVideoStore.open({ path: ':memory:' });
    const faulty = faultyStore(sqlite);
    const store = observedStore(faulty.store, metrics.store, 'sqlite');

    expect(await store.get(key)).toBeUndefined();
    expect(await store.get(key)).toBeUndefined();
    await expect(store.delete(key, {})).rejects.toBeInstanceOf(NotFound);
    faulty.mode = 'corrupt';
    await expect(store.list({ ownerId: 'alice', limit: 10 })).rejects.toThrow(corruptStoreMessage);
    faulty.mode = 'normal';
    await sqlite.close();
    await expect(store.get(key)).rejects.toBeInstanceOf(StoreUnavailable);

    const samples = await samplesOf(metrics);
    expect(sampleValue(samples, 'videosvc_store_request_duration_seconds_count', { operation: 'get' })).toBe(3);
    expect(sampleValue(samples, 'videosvc_store_request_duration_seconds_count', { operation: 'delete' })).toBe(1);
    expect(sampleValue(samples, 'videosvc_store_request_duration_seconds_count', { operation: 'list' })).toBe(1);
    expect(samples.filter((sample) => sample.name === 'videosvc_store_errors_total')).toEqual([
      { name: 'videosvc_store_errors_total', labels: { operation: 'list', failure: 'internal' }, value: 1 },
      { name: 'videosvc_store_errors_total', labels: { operation: 'get', failure: 'unavailable' }, value: 1 },
    ]);
  });
});

describe('store spans, with an OpenTelemetry SDK registered', () => {
  const exporter = new InMemorySpanExporter();
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  });
  afterAll(() => {
    trace.disable();
    propagation.disable();
    context.disable();
  });

  it('a request inside a recorded span is its child; a failed one carries the error; one outside any span makes none', async () => {
    const sqlite = await SqliteVideoStore.open({ path: ':memory:' });
    const store = observedStore(sqlite, createServiceMetrics().store, 'sqlite');
    await store.get(key);
    expect(exporter.getFinishedSpans()).toEqual([]);

    const tracer = trace.getTracer('test');
    await tracer.startActiveSpan('call', async (call) => {
      await store.get(key);
      await sqlite.close();
      await store.get(key).catch(() => undefined);
      call.end();
    });
    const [found, failed, call] = exporter.getFinishedSpans();
    expect([found?.name, failed?.name, call?.name]).toEqual(['VideoStore.get', 'VideoStore.get', 'call']);
    expect(found?.parentSpanContext?.spanId).toBe(call?.spanContext().spanId);
    expect(found?.status.code).toBe(SpanStatusCode.UNSET);
    expect(failed?.parentSpanContext?.spanId).toBe(call?.spanContext().spanId);
    expect(failed?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'the video store is closed' });
    expect(failed?.events.map((event) => event.name)).toEqual(['exception']);
  });
});
