// Traces (SPEC §6, issue 12): the service uses only @opentelemetry/api; a user registers the
// SDK. Here the test does, as a user would (an in-memory exporter, the AsyncLocalStorage
// context manager, the W3C propagator), and checks over real sockets, on the lean gRPC path,
// the lean Connect JSON path and connect-node (gRPC-Web), that the server span continues
// the caller's traceparent, that the store request is its child, and that the call's log
// line names the trace. Before the SDK is registered, nothing is traced or logged.
import { randomBytes } from 'node:crypto';
import { Code, ConnectError, createClient, type Interceptor, type Transport } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from '@connectrpc/connect-node';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoService } from '../../src/gen/video/v1/video_service_pb.ts';
import { startService, type StartedService } from '../support/started-service.ts';

let service: StartedService;
let token: string;
let videoId: string;
beforeAll(async () => {
  service = await startService();
  token = await service.mint('alice');
  videoId = (await createClient(VideoService, createGrpcTransport({ baseUrl: service.url, interceptors: [auth()] })).createVideo({ video: { originalName: 'a.mp4' } })).video!.videoId;
});
afterAll(async () => {
  await service?.stop();
});

/** Sends GetVideo for `id` with extra `headers`; a NOT_FOUND is an answer too. */
type GetVideo = (headers: Record<string, string>, id: string) => Promise<void>;

function through(transport: () => Transport): GetVideo {
  return (headers, id) =>
    createClient(VideoService, transport())
      .getVideo({ videoId: id }, { headers })
      .then(
        () => undefined,
        (error: unknown) => {
          if (ConnectError.from(error).code !== Code.NotFound) throw error;
        },
      );
}

// connect-node's Connect client streams its body without a content-length, which the lean
// path leaves to connect-node; fetch sends one, as browsers and curl do.
const connectJson: GetVideo = async (headers, id) => {
  const answer = await fetch(`${service.url}/video.v1.VideoService/GetVideo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({ videoId: id }),
  });
  await answer.arrayBuffer();
};

const protocols: Array<[string, GetVideo]> = [
  ['gRPC (the lean path)', through(() => createGrpcTransport({ baseUrl: service.url, interceptors: [auth()] }))],
  ['Connect JSON over HTTP/1.1 (the lean path)', connectJson],
  ['gRPC-Web over HTTP/1.1 (connect-node)', through(() => createGrpcWebTransport({ baseUrl: service.url, httpVersion: '1.1', interceptors: [auth()] }))],
  ['Connect binary over HTTP/2 (connect-node)', through(() => createConnectTransport({ baseUrl: service.url, httpVersion: '2', useBinaryFormat: true, interceptors: [auth()] }))],
];

function auth(): Interceptor {
  return (next) => (request) => {
    request.header.set('authorization', `Bearer ${token}`);
    return next(request);
  };
}

function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** GetVideo through `send` with `headers`; resolves with the call's log line. */
async function getVideoLogged(send: GetVideo, headers: Record<string, string>, id = videoId): Promise<Record<string, unknown>> {
  const skip = service.logs.length;
  await send(headers, id);
  const lines = await service.linesAfter(skip, 1);
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('with no OpenTelemetry SDK registered', () => {
  it('a call with a traceparent is served as usual and its log line names no trace', async () => {
    const line = await getVideoLogged(protocols[0]![1], { traceparent: `00-${randomHex(16)}-${randomHex(8)}-01` });
    expect(line).toMatchObject({ procedure: '/video.v1.VideoService/GetVideo', code: 'ok' });
    expect(line).not.toHaveProperty('traceId');
  });
});

describe('with the OpenTelemetry SDK registered by the user', () => {
  const exporter = new InMemorySpanExporter();
  const contextManager = new AsyncLocalStorageContextManager();
  beforeAll(() => {
    context.setGlobalContextManager(contextManager.enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  });
  afterAll(() => {
    trace.disable();
    propagation.disable();
    context.disable();
  });

  it.each(protocols)('%s: the server span continues the incoming traceparent, the store span is its child, the log line carries the trace id', async (_name, send) => {
    exporter.reset();
    const traceId = randomHex(16);
    const parentSpanId = randomHex(8);
    const line = await getVideoLogged(send, { traceparent: `00-${traceId}-${parentSpanId}-01` });

    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.name).sort()).toEqual(['VideoStore.get', 'video.v1.VideoService/GetVideo']);
    const server = spans.find((span) => span.kind === SpanKind.SERVER)!;
    expect(server.name).toBe('video.v1.VideoService/GetVideo');
    expect(server.spanContext().traceId).toBe(traceId);
    expect(server.parentSpanContext).toMatchObject({ traceId, spanId: parentSpanId, isRemote: true });
    expect(server.attributes).toMatchObject({ 'rpc.service': 'video.v1.VideoService', 'rpc.method': 'GetVideo', 'rpc.grpc.status_code': 0 });
    expect(server.status.code).toBe(SpanStatusCode.UNSET);

    const store = spans.find((span) => span.name === 'VideoStore.get')!;
    expect(store.kind).toBe(SpanKind.CLIENT);
    expect(store.spanContext().traceId).toBe(traceId);
    expect(store.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(store.attributes).toMatchObject({ 'db.system.name': 'sqlite', 'db.operation.name': 'get' });
    expect(within(store, server)).toBe(true);

    expect(line).toMatchObject({ code: 'ok', traceId });
  });

  it('a call without a traceparent starts a trace of its own, named in its log line', async () => {
    exporter.reset();
    const line = await getVideoLogged(protocols[0]![1], {});
    const server = exporter.getFinishedSpans().find((span) => span.kind === SpanKind.SERVER)!;
    expect(server.parentSpanContext).toBeUndefined();
    expect(server.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(line.traceId).toBe(server.spanContext().traceId);
  });

  it('a NOT_FOUND is the client\'s matter: the span says the code and no error status', async () => {
    exporter.reset();
    const line = await getVideoLogged(protocols[2]![1], {}, '01a21073-e94b-7791-9ee6-4b3bf8727f1d');
    const server = exporter.getFinishedSpans().find((span) => span.kind === SpanKind.SERVER)!;
    expect(server.attributes['rpc.grpc.status_code']).toBe(Code.NotFound);
    expect(server.status.code).toBe(SpanStatusCode.UNSET);
    expect(line).toMatchObject({ code: 'not_found', traceId: server.spanContext().traceId });
  });
});

/** Whether `inner` ran within `outer`'s time. */
function within(inner: ReadableSpan, outer: ReadableSpan): boolean {
  const ns = ([seconds, nanos]: [number, number]) => BigInt(seconds) * 1_000_000_000n + BigInt(nanos);
  return ns(inner.startTime) >= ns(outer.startTime) && ns(inner.endTime) <= ns(outer.endTime);
}
