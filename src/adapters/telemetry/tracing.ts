// OpenTelemetry traces (SPEC §6, issue 12) through @opentelemetry/api only: a server span per
// RPC call continuing the caller's W3C `traceparent`, and a child span per store request.
// The service registers no SDK, exporter or propagator: whoever runs it adds their own (e.g.
// `node --import ./otel-setup.mjs`), and the API's globals hand their tracer and propagator to
// the calls below. Without one, the API's no-op tracer answers: an invalid, non-recording
// span, on which the call log stops at once (nothing is ended, attached or logged), so an
// untraced call pays one extract and one startSpan (~0.1 µs, bench/telemetry-cost.ts).
import type { IncomingHttpHeaders } from 'node:http2';
import { Code } from '@connectrpc/connect';
import {
  context,
  isSpanContextValid,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';

// A ProxyTracer: it follows a tracer provider registered after this module was loaded.
const tracer = trace.getTracer('videosvc');
const serverSpan = Object.freeze({ kind: SpanKind.SERVER });
const clientSpan = Object.freeze({ kind: SpanKind.CLIENT });

/** The trace of one call whose span is valid: recorded by an SDK, or at least carrying the caller's trace id. */
export interface CallTrace {
  readonly span: Span;
  readonly traceId: string;
  /** The context the call's work runs in, so store spans become children of the call's span. */
  readonly context: Context;
}

// The span name is the procedure without its leading slash (`video.v1.VideoService/GetVideo`),
// as the OpenTelemetry RPC conventions name it; made once per procedure.
const spanNames = new Map<string, string>();

/**
 * Starts the server span of the call to `procedure` (`/video.v1.VideoService/GetVideo`), its
 * parent taken from `headers` by the registered propagator; undefined when no tracer records
 * it and no trace id came with it.
 */
export function traceCall(procedure: string, headers: IncomingHttpHeaders): CallTrace | undefined {
  const parent = propagation.extract(context.active(), headers);
  let name = spanNames.get(procedure);
  if (name === undefined) spanNames.set(procedure, (name = procedure.slice(1)));
  const span = tracer.startSpan(name, serverSpan, parent);
  const spanContext = span.spanContext();
  if (!isSpanContextValid(spanContext)) return undefined;
  if (span.isRecording()) {
    const slash = name.lastIndexOf('/');
    const contentType = headers['content-type'];
    span.setAttributes({
      'rpc.system': typeof contentType === 'string' && contentType.startsWith('application/grpc') ? 'grpc' : 'connect_rpc',
      'rpc.service': name.slice(0, slash),
      'rpc.method': name.slice(slash + 1),
    });
  }
  return { span, traceId: spanContext.traceId, context: trace.setSpan(parent, span) };
}

// The OpenTelemetry gRPC conventions: a server span is an error only for these codes; the
// others are the client's to handle (NOT_FOUND, INVALID_ARGUMENT, ...).
const serverFaults: ReadonlySet<Code | 'ok'> = new Set([
  Code.Unknown,
  Code.DeadlineExceeded,
  Code.Unimplemented,
  Code.Internal,
  Code.Unavailable,
  Code.DataLoss,
]);

/** Ends the call's span with its gRPC status code (and the error status for a server fault). */
export function endCallTrace(callTrace: CallTrace, code: Code | 'ok', message: string | undefined): void {
  const span = callTrace.span;
  if (span.isRecording()) {
    span.setAttribute('rpc.grpc.status_code', code === 'ok' ? 0 : code);
    if (serverFaults.has(code)) span.setStatus({ code: SpanStatusCode.ERROR, message });
  }
  span.end();
}

/** Runs `work` (a method of `self`, with `arg`) in the call's context; a method, so no closure is made per call. */
export function inCallContext<T, A, R>(callTrace: CallTrace, work: (this: T, arg: A) => R, self: T, arg: A): R {
  return context.with(callTrace.context, work, self, arg);
}

/**
 * Starts the span of a store request (`VideoStore.get`, ...) as a child of the active span;
 * undefined outside a recorded call (a readiness probe is not a trace of its own).
 */
export function startStoreSpan(operation: string, storeKind: string): Span | undefined {
  const active = context.active();
  const parent = trace.getSpan(active);
  if (parent === undefined || !parent.isRecording()) return undefined;
  const span = tracer.startSpan(`VideoStore.${operation}`, clientSpan, active);
  span.setAttributes({ 'db.system.name': storeKind, 'db.operation.name': operation });
  return span;
}

/** Runs `work` (a store method, `self` the store) in `span`'s context, so a store's own spans nest under it. */
export function inStoreSpan<A extends unknown[], R>(span: Span, work: (...args: A) => R, self: unknown, args: A): R {
  return context.with(trace.setSpan(context.active(), span), work, self, ...args);
}

/** Marks a store span failed: the store could not answer, or threw something unexpected. */
export function storeSpanFailed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}
