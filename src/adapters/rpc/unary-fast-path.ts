// The lean unary path (issue 10): plain unary calls of VideoService — gRPC (`application/grpc`,
// `application/grpc+proto`, over HTTP/2) and Connect with JSON (`application/json`, HTTP/1.1 or
// HTTP/2) — are served here, on the same servers and port as connect-node, instead of through
// connect-node's universal handler. gRPC is served on the bare HTTP/2 stream, as grpc-js does,
// with no compat request/response pair (listener.ts builds that pair only for streams this path
// does not take); Connect JSON on the request/response of HTTP/1.1 or HTTP/2. Measured on the
// shared 2-core machine (README "Transport performance"), connect-node's per-call machinery —
// universal request/response objects, undici Headers, async-iterable pipelines, a
// HandlerContext with linked AbortSignals and a DOMException per call — held a *constant*
// GetVideo handler to ~0.16× a bare @grpc/grpc-js server. This path does only what a unary
// call needs: read one envelope, decode it (request-wire.ts for the requests made only of
// strings, protobuf-es for the rest), run the same call policy
// (call-policy.ts: closing, deadline, authentication, rate limit, the error mapping) and the
// same VideoService calls as connect-node, encode the answer, and send headers, one message
// and trailers.
//
// The alternatives, measured with h2load on the shared machine (README "Transport
// performance"): tuning around connect-node is capped by a bare connect-node constant handler,
// 0.16x grpc-js; grpc-js's own Server cannot share our one-port listener, and its per-call
// machinery is most of its cost (bare node:http2 answers 1.8-2.3x as many calls).
//
// Everything else stays on connect-node, which implements it fully: gRPC-Web, Connect with
// binary protobuf, Connect GET, streaming, health and reflection, gRPC with JSON, compressed
// requests (grpc-encoding or content-encoding other than identity), a Connect body without a
// content-length or above the limit; a malformed grpc-timeout or connect-timeout-ms is left to
// connect-node too, which refuses it. A Connect JSON body is parsed and an error written with
// connect's own serialization and error JSON, so both paths answer the same bytes the same way.
import { create, fromBinary, toBinary, type DescMessage, type Message } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { createMethodSerializationLookup, type Serialization } from '@connectrpc/connect/protocol';
import { codeToHttpStatus, errorToJsonBytes } from '@connectrpc/connect/protocol-connect';
import { setTrailerStatus } from '@connectrpc/connect/protocol-grpc';
import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { VideoService } from '../../gen/video/v1/video_service_pb.ts';
import { inCallContext } from '../telemetry/tracing.ts';
import type { CallPolicy, DeadlineGuard } from './call-policy.ts';
import { requestTooLargeError } from './errors.ts';
import type { CallLog, CallRecord } from './logging.ts';
import { encodeGrpcMessage } from './grpc-message.ts';
import { strictJsonOptions } from './json-options.ts';
import type { NodeRequest, NodeResponse } from './listener.ts';
import { stringFieldsDecoder, type StringFieldsDecoder } from './request-wire.ts';
import type { CallScope, VideoCalls } from './video-service.ts';
import { videoAnswerEncoders } from './video-wire.ts';

export interface UnaryFastPathOptions {
  readonly calls: VideoCalls;
  readonly policy: CallPolicy;
  readonly callLog: CallLog;
  /** SPEC §6: the largest request message accepted. */
  readonly readMaxBytes: number;
}

export interface UnaryFastPath {
  /** Whether this path serves the HTTP/2 stream with these request headers as plain unary gRPC (serveGrpc). */
  takesGrpc(headers: IncomingHttpHeaders): boolean;
  /** Serves a call takesGrpc() accepted, on its bare stream; `record` is its call-log record. */
  serveGrpc(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, record: CallRecord | undefined): void;
  /** Whether this path serves `request` as a Connect JSON unary call (serveConnect); if not, hand it to connect-node. */
  takesConnect(request: NodeRequest): boolean;
  serveConnect(request: NodeRequest, response: NodeResponse): void;
}

interface Route {
  readonly input: DescMessage;
  /** request-wire.ts's decoder where every field of the request is a string, else undefined (fromBinary). */
  readonly decodeStrings: StringFieldsDecoder | undefined;
  /** connect's own JSON serialization of the request and the answer (strict options, the read limit). */
  readonly json: { readonly input: Serialization<Message>; readonly output: Serialization<Message> };
  readonly output: DescMessage;
  /** The answer as one gRPC envelope: video-wire.ts's encoder where there is one, else toBinary. */
  readonly encode: (answer: unknown) => Buffer;
  readonly call: (request: never, scope: never) => Promise<unknown>;
}

const typeName = VideoService.typeName;
// The wire format of grpc-timeout (connect's parseTimeout accepts exactly this): anything else
// goes to connect-node, which answers it with its own protocol error.
const grpcTimeoutPattern = /^\d{1,8}[HMSmun]$/;
const connectTimeoutPattern = /^\d{1,10}$/;
const contentLengthPattern = /^\d{1,10}$/;
// Built once: the response head of every answer (SPEC §6 adds the request id per call).
const grpcResponseHead = Object.freeze({ ':status': 200, 'content-type': 'application/grpc+proto' });
const jsonContentType = 'application/json';
const okTrailers = Object.freeze({ 'grpc-status': '0' });
const emptyHead = Object.freeze({});
const envelopeHeaderBytes = 5;
const compressedFlag = 0b1;

/** The lean unary path for VideoService; see the file comment for what it leaves to connect-node. */
export function createUnaryFastPath(options: UnaryFastPathOptions): UnaryFastPath {
  const { calls, policy, callLog, readMaxBytes } = options;
  // One table from the request path to its descriptors and call, built once.
  const routes = new Map<string, Route>();
  for (const method of VideoService.methods) {
    if (method.methodKind !== 'unary') continue;
    const call = (calls as unknown as Record<string, Route['call']>)[method.localName];
    if (call === undefined) continue;
    const output = method.output;
    const encoder = videoAnswerEncoders[method.name];
    const encode =
      encoder === undefined
        ? (answer: unknown) => envelopeOf(toBinary(output, create(output, answer as never)))
        : (answer: unknown) => sealEnvelope(encoder(answer, envelopeHeaderBytes));
    const serialization = createMethodSerializationLookup(method, undefined, strictJsonOptions, {
      readMaxBytes,
      writeMaxBytes: Number.MAX_SAFE_INTEGER,
    });
    const json = { input: serialization.getI(false), output: serialization.getO(false) };
    const decodeStrings = stringFieldsDecoder(method.input);
    routes.set(`/${typeName}/${method.name}`, { input: method.input, decodeStrings, json, output, encode, call });
  }

  function takesGrpc(headers: IncomingHttpHeaders): boolean {
    if (headers[':method'] !== 'POST' || !routes.has(headers[':path'] ?? '')) return false;
    const contentType = headers['content-type'];
    if (contentType !== 'application/grpc' && contentType !== 'application/grpc+proto') return false;
    const encoding = headers['grpc-encoding'];
    if (encoding !== undefined && encoding !== 'identity') return false;
    const timeout = headers['grpc-timeout'];
    return timeout === undefined || (typeof timeout === 'string' && grpcTimeoutPattern.test(timeout));
  }

  function takesConnect(request: NodeRequest): boolean {
    if (request.method !== 'POST' || !routes.has(request.url ?? '')) return false;
    const headers = request.headers;
    const contentType = headers['content-type'];
    if (contentType !== jsonContentType && contentType !== 'application/json; charset=utf-8') return false;
    const encoding = headers['content-encoding'];
    if (encoding !== undefined && encoding !== 'identity') return false;
    const version = headers['connect-protocol-version'];
    if (version !== undefined && version !== '1') return false;
    const timeout = headers['connect-timeout-ms'];
    if (timeout !== undefined && (typeof timeout !== 'string' || !connectTimeoutPattern.test(timeout))) return false;
    // The whole body's size is known up front and within the limit; connect-node refuses the rest.
    const length = headers['content-length'];
    if (length === undefined || !contentLengthPattern.test(length) || Number(length) > readMaxBytes) return false;
    return headers['transfer-encoding'] === undefined;
  }

  function serveGrpc(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, record: CallRecord | undefined): void {
    const call = new UnaryCall(routes.get(headers[':path']!)!, headers, stream, undefined, record, policy, readMaxBytes);
    // A stream whose request ended with no data (DATA with END_STREAM, nothing in it) has
    // emitted 'end' already, unasked, by the time a call is served (a turn later: reset-before-read.ts).
    if (stream.readableEnded) return call.ended();
    (stream as CallStream)[callOfStream] = call;
    stream.on('data', receivedOnStream);
    stream.on('end', endedOnStream);
  }

  function serveConnect(request: NodeRequest, response: NodeResponse): void {
    const call = new UnaryCall(routes.get(request.url!)!, request.headers, undefined, response, callLog.open(request, response), policy, readMaxBytes);
    request.on('data', (chunk: Buffer) => call.received(chunk));
    request.once('end', () => call.ended());
  }

  return { takesGrpc, serveGrpc, takesConnect, serveConnect };
}

/**
 * The call a bare stream is serving, until it is answered. The stream's listeners are shared
 * functions that find the call here, and #sendGrpc cuts the link: a closed HTTP/2 stream
 * outlives its call until V8's next full collection (Node frees its native half from a GC
 * callback, which scavenges treat as a root), and everything it reaches is promoted with it,
 * so a listener holding the call would carry the call, its headers and its record into the
 * old generation with every stream (issue 10: the cause of the full collections' pauses).
 */
const callOfStream = Symbol('videosvc.unaryCall');
type CallStream = ServerHttp2Stream & { [callOfStream]?: UnaryCall; [trailersOfStream]?: Readonly<Record<string, string>> };

/** The trailers a stream sends once Node asks for them (its 'wantTrailers'). */
const trailersOfStream = Symbol('videosvc.trailers');
const waitForTrailers = Object.freeze({ waitForTrailers: true });

function sendTrailersWhenAsked(this: CallStream): void {
  const trailers = this[trailersOfStream];
  this[trailersOfStream] = undefined;
  if (trailers !== undefined && !this.destroyed) this.sendTrailers(trailers);
}

function receivedOnStream(this: CallStream, chunk: Buffer): void {
  this[callOfStream]?.received(chunk);
}

function endedOnStream(this: CallStream): void {
  this[callOfStream]?.ended();
}

/**
 * One call on the lean path, from its first request byte to its trailers. A class, so the
 * per-call state is one object and its steps are shared methods: closures made per call
 * cost more here (tsx names every one of them at runtime).
 */
class UnaryCall {
  readonly #chunks: Buffer[] = [];
  #received = 0;
  /** Answered or refused: nothing more is read or sent. */
  #answered = false;
  readonly #deadline: number | undefined;

  /**
   * gRPC is served on the bare HTTP/2 `stream` (no compat request/response pair: issue 10),
   * Connect JSON on the `response` of HTTP/1.1 or HTTP/2; exactly one of them is given, and
   * which one says the protocol.
   */
  constructor(
    private readonly route: Route,
    private readonly headers: IncomingHttpHeaders,
    private readonly stream: ServerHttp2Stream | undefined,
    private readonly response: NodeResponse | undefined,
    private readonly record: CallRecord | undefined,
    private readonly policy: CallPolicy,
    private readonly readMaxBytes: number,
  ) {
    // A deadline counts from the call's arrival, as connect-node reckons it.
    this.#deadline =
      stream !== undefined
        ? policy.deadlineOf(headers['grpc-timeout'] as string | undefined, Date.now())
        : policy.connectDeadlineOf(headers['connect-timeout-ms'] as string | undefined, Date.now());
  }

  received(chunk: Buffer): void {
    if (this.#answered) return;
    this.#chunks.push(chunk);
    this.#received += chunk.length;
    // Refuse an oversized message as soon as its length prefix says so, without buffering it.
    // (A Connect body's length was checked against the limit before the call came here.)
    if (this.stream === undefined) return;
    const fault = envelopeFault(this.#chunks, this.#received, this.readMaxBytes);
    if (fault === undefined) return;
    this.#chunks.length = 0;
    this.requestFault(fault);
  }

  ended(): void {
    if (this.#answered) return;
    const chunks = this.#chunks;
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.#received);
    let message: unknown;
    try {
      message = this.stream !== undefined ? decodeUnary(this.route, body) : this.route.json.input.parse(body);
    } catch (error) {
      return this.requestFault(error as ConnectError);
    }
    // A traced call runs in its span's context, so its store requests become the span's children.
    const callTrace = this.record?.trace;
    void (callTrace === undefined ? this.run(message) : inCallContext(callTrace, this.run, this, message));
  }

  async run(message: unknown): Promise<void> {
    const { policy, record } = this;
    const deadline = this.#deadline;
    // A call with a deadline gets a signal, aborted when the deadline passes or the client
    // goes, so the store stops waiting. A call without one gets no signal, no timer and no
    // listener (issue 10: that machinery was ~5 % of a GetVideo's CPU): the only thing that
    // could end it early is its client going away, and then the answer is dropped (gone()).
    let controller: AbortController | undefined;
    let guard: DeadlineGuard | undefined;
    let onClose: (() => void) | undefined;
    if (deadline !== undefined) {
      const aborter = new AbortController();
      controller = aborter;
      onClose = () => aborter.abort();
      (this.stream ?? this.response!).once('close', onClose);
      guard = policy.guardDeadline(deadline, aborter, (error) => this.fail(error, undefined));
    }
    let caller: string | undefined;
    try {
      const admitted = policy.admit(typeName, this.headers.authorization);
      const principal = admitted instanceof Promise ? await admitted : admitted;
      caller = principal?.ownerId;
      if (record !== undefined) record.caller = caller;
      const output = await (this.route.call as (m: unknown, s: CallScope) => Promise<unknown>)(message, {
        caller: principal!,
        deadline,
        signal: controller?.signal,
        receivedNs: record?.startedNs,
      });
      guard?.disarm();
      const late = policy.lateError(deadline);
      if (late !== undefined) this.fail(late, caller);
      else this.ok(output, caller);
    } catch (error) {
      guard?.disarm();
      this.fail(policy.lateError(deadline) ?? policy.toConnectError(error), caller, error);
    } finally {
      if (onClose !== undefined) (this.stream ?? this.response!).off('close', onClose);
    }
  }

  /**
   * Whether nothing can be sent any more: answered already, or the client went (its stream
   * reset) while the call ran; the log line then says CANCELED from the reset.
   */
  #gone(): boolean {
    if (this.#answered) return true;
    const stream = this.stream ?? (this.response !== undefined && 'stream' in this.response ? this.response.stream : undefined);
    if (stream !== undefined) return stream.destroyed || stream.closed;
    return this.response!.destroyed || this.response!.writableEnded;
  }

  ok(output: unknown, caller: string | undefined): void {
    if (this.#gone()) return;
    const record = this.record;
    if (record !== undefined) {
      record.code = 'ok';
      record.caller = caller;
    }
    const route = this.route;
    if (this.stream !== undefined) return this.#sendGrpc(okTrailers, route.encode(output));
    this.#sendConnect(200, emptyHead, route.json.output.serialize(create(route.output, output as never)));
  }

  /** A call that reached the policy: the log records its code, caller and cause. */
  fail(error: ConnectError, caller: string | undefined, thrown?: unknown): void {
    if (this.#gone()) return;
    const record = this.record;
    if (record !== undefined) {
      record.code = error.code;
      record.caller = caller;
      record.message = error.rawMessage;
      record.cause = error.cause ?? thrown ?? error;
    }
    this.#refuse(error);
  }

  /** A request that could not be read (it never reached the policy): logged as refused early. */
  requestFault(error: ConnectError): void {
    if (this.#gone()) return;
    const record = this.record;
    if (record !== undefined) {
      record.trailerStatus = String(error.code);
      record.message = error.rawMessage;
    }
    this.#refuse(this.policy.toConnectError(error));
  }

  /** gRPC: the status in trailers. Connect: the HTTP status and connect's error JSON, metadata as headers. */
  #refuse(error: ConnectError): void {
    if (this.stream !== undefined) return this.#sendGrpc(errorTrailers(error));
    const head: Record<string, string> = {};
    error.metadata.forEach((value, key) => {
      head[key] = value;
    });
    this.#sendConnect(codeToHttpStatus(error.code), head, errorToJsonBytes(error, strictJsonOptions));
  }

  /** Headers, the message if any, then `trailers` once Node asks for them: what grpc-js sends. */
  #sendGrpc(trailers: Readonly<Record<string, string>>, envelope?: Buffer): void {
    this.#answered = true;
    const stream = this.stream!;
    (stream as CallStream)[callOfStream] = undefined;
    const requestId = this.record?.requestId;
    stream.respond(requestId === undefined ? grpcResponseHead : { ...grpcResponseHead, 'x-request-id': requestId }, waitForTrailers);
    (stream as CallStream)[trailersOfStream] = trailers;
    stream.on('wantTrailers', sendTrailersWhenAsked);
    if (envelope === undefined) stream.end();
    else stream.end(envelope);
  }

  #sendConnect(status: number, head: Readonly<Record<string, string>>, body: Uint8Array): void {
    this.#answered = true;
    const response = this.response!;
    response.writeHead(status, { ...head, 'content-type': jsonContentType, 'content-length': String(body.byteLength) });
    response.end(body);
  }
}

/** Writes the gRPC envelope prefix (uncompressed, the length) into the first 5 bytes of `buffer`. */
function sealEnvelope(buffer: Buffer): Buffer {
  buffer[0] = 0;
  buffer.writeUInt32BE(buffer.length - envelopeHeaderBytes, 1);
  return buffer;
}

/** `message` in a gRPC envelope. */
function envelopeOf(message: Uint8Array): Buffer {
  const buffer = Buffer.allocUnsafe(envelopeHeaderBytes + message.byteLength);
  buffer.set(message, envelopeHeaderBytes);
  return sealEnvelope(buffer);
}

/** The trailers of a failed call: status, message in the gRPC spec's minimal escaping, details, metadata. */
function errorTrailers(error: ConnectError): Readonly<Record<string, string>> {
  const trailers: Record<string, string> = {};
  setTrailerStatus(new Headers(), error).forEach((value, key) => {
    trailers[key] = value;
  });
  trailers['grpc-message'] = encodeGrpcMessage(error.rawMessage);
  return trailers;
}

/**
 * A fault the bytes received so far already prove (an oversized message, a second message),
 * with connect-node's code and message for it; undefined while the request may still be fine.
 */
function envelopeFault(chunks: Buffer[], received: number, readMaxBytes: number): ConnectError | undefined {
  if (received < envelopeHeaderBytes) return undefined;
  const head = chunks[0]!.length >= envelopeHeaderBytes ? chunks[0]! : Buffer.concat(chunks, received);
  const length = head.readUInt32BE(1);
  if (length > readMaxBytes) {
    return requestTooLargeError(length, readMaxBytes);
  }
  if (received > envelopeHeaderBytes + length) {
    return new ConnectError('protocol error: received extra input message for unary method', Code.Unimplemented);
  }
  return undefined;
}

/**
 * The one request message of a unary call in `body`, decoded; throws the ConnectError
 * connect-node answers for the same bytes, except that its INTERNAL for bytes that do not
 * decode is INVALID_ARGUMENT here, as request-faults.ts makes it on connect-node's path.
 */
function decodeUnary(route: Route, body: Buffer): unknown {
  if (body.length === 0) throw new ConnectError('protocol error: missing input message for unary method', Code.Unimplemented);
  if (body.length < envelopeHeaderBytes) {
    throw new ConnectError(`protocol error: promised ${envelopeHeaderBytes} bytes, received ${body.length}`, Code.InvalidArgument);
  }
  const length = body.readUInt32BE(1);
  if (body.length < envelopeHeaderBytes + length) {
    throw new ConnectError(`protocol error: promised ${length} bytes, received ${body.length - envelopeHeaderBytes}`, Code.InvalidArgument);
  }
  if ((body[0]! & compressedFlag) !== 0) {
    throw new ConnectError('received compressed envelope, but do not know how to decompress', Code.InvalidArgument);
  }
  const end = envelopeHeaderBytes + length;
  const plain = route.decodeStrings?.(body, envelopeHeaderBytes, end);
  if (plain !== undefined) return plain;
  try {
    return fromBinary(route.input, body.subarray(envelopeHeaderBytes, end));
  } catch (error) {
    throw new ConnectError(`parse binary: ${error instanceof Error ? error.message : String(error)}`, Code.InvalidArgument);
  }
}

