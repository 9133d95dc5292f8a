// One structured line per call (SPEC §6): procedure, code, duration, caller, request id,
// and the trace id of a traced call; a failed call's line says why (the message its client
// got) and, for a fault of the server or an unavailable store, the cause. The line is
// written when the HTTP response closes, so calls refused before any interceptor runs (an
// oversized request, a bad content type) are logged too. Headers are never logged, so a
// token cannot end up in the log.
// The call's metrics and server span (issue 12) hang off the same record: it is the one
// place that sees every call of both paths (connect-node and the lean one) begin and end.
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { Code, ConnectError, createContextKey, createContextValues, type ContextValues, type Interceptor } from '@connectrpc/connect';
import { codeToString } from '@connectrpc/connect/protocol-connect';
import type { Logger } from 'pino';
import { flatLineWriter, type FlatLineWriter } from '../log-flat-line.ts';
import { flatRedactedPaths, redactionCensor } from '../log.ts';
import type { CallMetrics } from '../telemetry/metrics.ts';
import { endCallTrace, inCallContext, traceCall, type CallTrace } from '../telemetry/tracing.ts';
import { principalKey } from './auth.ts';
import { streamResetByClient } from './http2-sessions.ts';
import { resetByClient, type NodeRequest, type NodeResponse } from './listener.ts';

export interface CallRecord {
  readonly procedure: string;
  readonly requestId: string;
  readonly startedNs: bigint;
  /** Set by the interceptor; undefined when the call never reached it. */
  code?: Code | 'ok';
  /** The trailer status, for calls the interceptor never saw. */
  trailerStatus?: string;
  caller?: string;
  cause?: unknown;
  /** The message a failed call's client got. */
  message?: string;
  /** The call's server span, when it is traced (tracing.ts). */
  readonly trace?: CallTrace;
  /** The call's context values, to name the caller of a call that ended before it settled. */
  values?: ContextValues;
}

const recordOfStream = Symbol('videosvc.callRecord');
type RecordedStream = ServerHttp2Stream & { [recordOfStream]?: CallRecord };

const recordKey = createContextKey<CallRecord | undefined>(undefined, { description: 'call record' });

// A caller's request id is echoed only when it is short and plain, so a log line cannot be forged through it.
const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

export interface CallLog {
  /** Starts the record of an RPC request served by connect-node and writes its line when the response closes. */
  track(request: NodeRequest, response: NodeResponse): void;
  /**
   * Starts the record of a call whose server fills in code, caller and cause itself (the
   * lean gRPC path) and writes its line when the response closes; undefined for a path
   * that is not an RPC.
   */
  open(request: NodeRequest, response: NodeResponse): CallRecord | undefined;
  /**
   * The same for a call served on its bare HTTP/2 stream (the lean gRPC path), whose line is
   * written when the stream closes; its duration counts from `receivedNs`, the stream's
   * arrival. The server sends the request id (record.requestId) in the response headers itself.
   */
  openStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, receivedNs: bigint): CallRecord | undefined;
  /**
   * Notes the gRPC status an encoded answer ends with, told by the handler wrapper that sees
   * it being made (request-faults.ts): the code of a call no interceptor saw.
   */
  noteAnswerStatus(values: ContextValues, status: string | undefined, message?: string): void;
  /** Hands the record to the interceptors (connectNodeAdapter's `contextValues`). */
  contextValues(request: NodeRequest): ContextValues;
  /** Notes code, caller and cause; it must be the outermost interceptor. */
  readonly interceptor: Interceptor;
}

/**
 * Creates the call log for the RPC paths in `procedures` (`/video.v1.VideoService/GetVideo`, …),
 * counting every call it logs in `metrics`.
 */
export function createCallLog(logger: Logger, procedures: ReadonlySet<string>, metrics: CallMetrics): CallLog {
  const records = new WeakMap<NodeRequest, CallRecord>();
  // Built once. A line without an error holds only flat fields (strings and numbers): the
  // service's own loggers write it without pino's per-line work (log-flat-line.ts), any other
  // through a child that redacts just the paths a flat line can hold. A failed call's line
  // carries `err` (anything a cause holds) and goes through the full redaction.
  const writeFlatLine: FlatLineWriter = flatLineWriter(logger) ?? flatLinesThroughPino(logger);

  function write(record: CallRecord, request: NodeRequest, response: NodeResponse, closedFirst: boolean): void {
    // No code from the interceptors: the call was refused (or abandoned) before the service saw it.
    const refusedEarly = record.code === undefined;
    const code = record.code ?? codeFromResponse(record, request, response, closedFirst);
    // Tells a wrong method (405) from a wrong content type (415) or HTTP/1.1 gRPC (505).
    writeLine(record, code, refusedEarly, refusedEarly && response.statusCode !== 200 ? response.statusCode : undefined);
  }

  function writeLine(record: CallRecord, code: Code | 'ok', refusedEarly: boolean, httpStatus: number | undefined): void {
    const durationMs = Number(process.hrtime.bigint() - record.startedNs) / 1e6;
    metrics.ended(record.procedure, code, durationMs / 1e3);
    const callTrace = record.trace;
    const message = code === 'ok' ? undefined : record.message;
    if (callTrace !== undefined) endCallTrace(callTrace, code, message);
    const line = {
      procedure: record.procedure,
      code: code === 'ok' ? 'ok' : codeToString(code),
      durationMs: Math.round(durationMs * 1000) / 1000,
      caller: record.caller ?? record.values?.get(principalKey)?.ownerId,
      requestId: record.requestId,
      traceId: callTrace?.traceId,
      httpStatus,
      message,
    };
    const level = logLevelOf(code, refusedEarly, record.cause);
    if (level === 'error') logger.error({ ...line, err: record.cause }, 'rpc call failed');
    else if (code === Code.Unavailable && level === 'warn') logger.warn({ ...line, err: record.cause }, 'rpc call failed');
    else writeFlatLine(level, line, 'rpc call');
  }

  function newRecord(url: string, method: string | undefined, headers: IncomingHttpHeaders, startedNs = process.hrtime.bigint()): CallRecord | undefined {
    // A CORS preflight (OPTIONS) asks about a call but is none: no line, no metrics, no span.
    if (method === 'OPTIONS') return undefined;
    const procedure = url.includes('?') ? (url.split('?', 1)[0] ?? '') : url;
    if (!procedures.has(procedure)) return undefined;
    const offered = headers['x-request-id'];
    const requestId = typeof offered === 'string' && requestIdPattern.test(offered) ? offered : randomUUID();
    metrics.started();
    return { procedure, requestId, startedNs, trace: traceCall(procedure, headers) };
  }

  // One listener for every bare stream, finding the record on it (no closure per call).
  const writeClosedStreamLine = function (this: RecordedStream): void {
    const record = this[recordOfStream];
    if (record === undefined) return;
    this[recordOfStream] = undefined;
    const refusedEarly = record.code === undefined;
    writeLine(record, record.code ?? codeOfClosedStream(record, this), refusedEarly, undefined);
  };

  function openStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, receivedNs: bigint): CallRecord | undefined {
    const record = newRecord(String(headers[':path'] ?? ''), headers[':method'], headers, receivedNs);
    if (record === undefined) return undefined;
    (stream as RecordedStream)[recordOfStream] = record;
    stream.on('close', writeClosedStreamLine);
    return record;
  }

  function open(request: NodeRequest, response: NodeResponse): CallRecord | undefined {
    const record = newRecord(request.url ?? '', request.method, request.headers);
    if (record === undefined) return undefined;
    response.setHeader('x-request-id', record.requestId);
    // 'finish' when the answer is out; 'close' alone when the client went away first. A client
    // that resets an HTTP/2 stream before its request is read still gets a 'finish': connect
    // answers the empty request ("missing input message", UNIMPLEMENTED) to nobody.
    let written = false;
    const writeOnce = (closedFirst: boolean): void => {
      if (!written) write(record, request, response, closedFirst);
      written = true;
    };
    response.once('finish', () => writeOnce(false));
    response.once('close', () => writeOnce(true));
    return record;
  }

  return {
    open,
    openStream,
    track(request, response) {
      const record = open(request, response);
      if (record === undefined) return;
      records.set(request, record);
    },

    noteAnswerStatus(values, status, message) {
      const record = values.get(recordKey);
      if (record === undefined || status === undefined) return;
      record.trailerStatus = status;
      // The message of a call refused before the interceptors saw it (they set their own).
      if (message !== undefined) record.message ??= message;
    },

    contextValues(request) {
      const values = createContextValues();
      const record = records.get(request);
      values.set(recordKey, record);
      if (record !== undefined) record.values = values;
      return values;
    },

    interceptor: (next) => async (request) => {
      const record = request.contextValues.get(recordKey);
      const settle = (error?: unknown): void => {
        if (record === undefined) return;
        record.caller = request.contextValues.get(principalKey)?.ownerId;
        if (error === undefined) {
          record.code = 'ok';
        } else {
          const connectError = ConnectError.from(error);
          record.code = connectError.code;
          record.message = connectError.rawMessage;
          record.cause = connectError.cause ?? error;
        }
      };
      try {
        // A traced call's handler (and so its store requests) runs in the call span's context.
        const callTrace = record?.trace;
        const response = await (callTrace === undefined ? next(request) : inCallContext(callTrace, next, undefined, request));
        if (!response.stream) {
          settle();
          return response;
        }
        return { ...response, message: observeStream(response.message, settle) };
      } catch (error) {
        settle(error);
        throw error;
      }
    },
  };
}

async function* observeStream<T>(messages: AsyncIterable<T>, settle: (error?: unknown) => void): AsyncIterable<T> {
  try {
    yield* messages;
    settle();
  } catch (error) {
    settle(error);
    throw error;
  }
}

/** Flat lines through pino, with only the redacted paths a flat line can hold. */
function flatLinesThroughPino(logger: Logger): FlatLineWriter {
  const flatLines = logger.child({}, { redact: { paths: flatRedactedPaths, censor: redactionCensor } });
  return (level, fields, msg) => flatLines[level](fields, msg);
}

/**
 * error only for a fault of this server (INTERNAL, UNKNOWN, DATA_LOSS); warn for a store
 * that could not answer (UNAVAILABLE caused by something other than the transport itself, such
 * as the store's StoreUnavailable: an operator's matter, logged with its cause) and for a
 * request refused before the service saw it (wrong method or content type, a body that does
 * not decode, an oversized message: a client to fix); info for every other outcome, including
 * a client that went away (CANCELED) and a server that is shutting down.
 */
function logLevelOf(code: Code | 'ok', refusedEarly: boolean, cause: unknown): 'error' | 'warn' | 'info' {
  if (code === Code.Internal || code === Code.Unknown || code === Code.DataLoss) return 'error';
  if (code === Code.Unavailable && cause !== undefined && !(cause instanceof ConnectError)) return 'warn';
  if (refusedEarly && code !== 'ok' && code !== Code.Canceled && code !== Code.DeadlineExceeded) return 'warn';
  return 'info';
}

/**
 * The code of a lean-path call that closed without one: CANCELED if the client reset it or
 * it closed before any answer, else the status its server noted (a request it could not read).
 */
function codeOfClosedStream(record: CallRecord, stream: ServerHttp2Stream): Code {
  if (streamResetByClient(stream) || record.trailerStatus === undefined) return Code.Canceled;
  return Number(record.trailerStatus) as Code;
}

/** The code of a call refused before the interceptors ran, read from what was sent. */
function codeFromResponse(record: CallRecord, request: NodeRequest, response: NodeResponse, closedFirst: boolean): Code | 'ok' {
  // Whatever was written after the client reset its stream reached nobody.
  if (resetByClient(request)) return Code.Canceled;
  const grpcStatus = record.trailerStatus ?? response.getHeader('grpc-status');
  if (grpcStatus !== undefined) return Number(grpcStatus) === 0 ? 'ok' : (Number(grpcStatus) as Code);
  // Closed before the answer was out and before the handler settled: the client went away.
  // Node's HTTP/2 compat response reports 'finish' even for a stream torn down with its
  // connection (a client that closed its socket mid-call, no RST_STREAM), so an answer that
  // never even started (no head sent) counts as gone too, not as UNKNOWN.
  if (closedFirst || !response.headersSent) return Code.Canceled;
  if (response.statusCode !== 200) return codeOfStatus(response.statusCode);
  return Code.Unknown;
}

function codeOfStatus(status: number): Code {
  const known = connectCodeOfStatus.get(status);
  if (known !== undefined) return known;
  // Any other 4xx from the protocol layer is a request it could not take.
  return status >= 400 && status < 500 ? Code.InvalidArgument : Code.Unknown;
}

// The Connect protocol's HTTP status for each code, read backwards for the codes a call can
// get before any interceptor runs (a bad body, an oversized message, a bad timeout header),
// plus connect's own refusals: a wrong method (405) and gRPC over HTTP/1.1 (505).
const connectCodeOfStatus = new Map<number, Code>([
  [400, Code.InvalidArgument],
  [401, Code.Unauthenticated],
  [403, Code.PermissionDenied],
  [404, Code.NotFound],
  [405, Code.Unimplemented],
  [408, Code.DeadlineExceeded],
  [409, Code.Aborted],
  [413, Code.ResourceExhausted],
  [415, Code.Unimplemented],
  [429, Code.ResourceExhausted],
  [499, Code.Canceled],
  [500, Code.Internal],
  [501, Code.Unimplemented],
  [503, Code.Unavailable],
  [504, Code.DeadlineExceeded],
  [505, Code.Unimplemented],
]);
