// Status corrections in an answer connect has already encoded, one way per protocol: gRPC
// (a trailer), gRPC-Web (a trailer frame at the end of the body) and Connect unary (HTTP
// status and a JSON body). request-faults.ts decides when; `reached` says whether the call got
// as far as this server's interceptors (then INTERNAL is the server's own fault and stays).
// An error connect raised before any interceptor also gets the ErrorInfo every error carries
// (SPEC §6); those that passed the interceptors have theirs from errors.ts already.
import { Code } from '@connectrpc/connect';
import type { UniversalServerResponse } from '@connectrpc/connect/protocol';
import { codeFromString } from '@connectrpc/connect/protocol-connect';
import { headerStatusDetailsBin } from '@connectrpc/connect/protocol-grpc';
import { connectJsonDetailsOf, statusDetailsBinOf } from './errors.ts';
import { encodeGrpcMessage, respecGrpcMessage } from './grpc-message.ts';

const internal = String(Code.Internal);
const invalidArgument = String(Code.InvalidArgument);

/**
 * The status for an answer connect failed to finish (it threw while writing the status, e.g.
 * on a message that quotes half a character of the request): without it the stream stays
 * open and the client waits for good.
 */
function brokenAnswerStatus(reached: () => boolean): { status: string; message: string } {
  return reached()
    ? { status: internal, message: 'internal error; the failure was logged on the server' }
    : { status: invalidArgument, message: 'the request could not be decoded' };
}

/** A whole gRPC or gRPC-Web answer carrying brokenAnswerStatus; undefined for Connect (which cannot fail this way). */
export function brokenAnswer(requestContentType: string, reached: () => boolean): UniversalServerResponse | undefined {
  const { status, message } = brokenAnswerStatus(reached);
  const codec = requestContentType.includes('+json') ? 'json' : 'proto';
  if (requestContentType.startsWith('application/grpc-web')) {
    return {
      status: 200,
      header: new Headers({ 'content-type': `application/grpc-web+${codec}` }),
      body: once(statusTrailerEnvelope(status, message)),
    };
  }
  if (requestContentType.startsWith('application/grpc')) {
    return {
      status: 200,
      header: new Headers({ 'content-type': `application/grpc+${codec}` }),
      body: once(),
      trailer: new Headers({
        'grpc-status': status,
        'grpc-message': encodeGrpcMessage(message),
        [headerStatusDetailsBin]: statusDetailsBinOf(Number(status), message),
      }),
    };
  }
  return undefined;
}

/** Told the gRPC status an answer ends with (for the call log, which cannot read trailers otherwise). */
/** Told the status an answer ends with and, for a failure, its message (the call log's). */
export type StatusObserver = (status: string | undefined, message?: string) => void;

// gRPC: the status is a trailer, set once the body has been produced. Its grpc-message is
// rewritten here, where the trailer is made, into the gRPC spec's encoding (grpc-message.ts).
export function correctGrpc(response: UniversalServerResponse, reached: () => boolean, observe?: StatusObserver): UniversalServerResponse {
  const trailer = response.trailer;
  if (trailer === undefined || response.body === undefined) return response;
  const correct = (): void => {
    if (!reached() && trailer.get('grpc-status') === internal) trailer.set('grpc-status', invalidArgument);
  };
  const finish = (): void => {
    correct();
    const message = trailer.get('grpc-message');
    if (message !== null) trailer.set('grpc-message', respecGrpcMessage(message));
    const status = trailer.get('grpc-status');
    const failed = status !== null && status !== grpcOk;
    if (failed && !trailer.has(headerStatusDetailsBin)) {
      trailer.set(headerStatusDetailsBin, statusDetailsBinOf(Number(status), decodeLeniently(message ?? '')));
    }
    observe?.(status ?? undefined, failed && message !== null ? decodeLeniently(message) : undefined);
  };
  correct();
  return {
    ...response,
    body: passOn(response.body, {
      end: finish,
      broken: () => {
        const { status, message } = brokenAnswerStatus(reached);
        trailer.set('grpc-status', status);
        trailer.set('grpc-message', encodeGrpcMessage(message));
        trailer.set(headerStatusDetailsBin, statusDetailsBinOf(Number(status), message));
        observe?.(status, message);
        return undefined;
      },
    }),
  };
}

const trailerFlag = 0x80;

// A gRPC-Web trailer envelope carrying a status, its message encoded as on every other path, and its ErrorInfo.
function statusTrailerEnvelope(status: string, message: string): Uint8Array {
  const details = statusDetailsBinOf(Number(status), message);
  return trailerEnvelope(`grpc-status: ${status}\r\ngrpc-message: ${encodeGrpcMessage(message)}\r\n${headerStatusDetailsBin}: ${details}\r\n`);
}

function decodeLeniently(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function trailerEnvelope(text: string): Uint8Array {
  const body = Buffer.from(text, 'latin1');
  const prefix = Buffer.alloc(5);
  prefix[0] = trailerFlag;
  prefix.writeUInt32BE(body.length, 1);
  return new Uint8Array(Buffer.concat([prefix, body]));
}

// gRPC-Web: the status travels in the body, in a trailer envelope (flag 0x80) of header lines.
export function correctGrpcWeb(response: UniversalServerResponse, reached: () => boolean, observe?: StatusObserver): UniversalServerResponse {
  if (response.body === undefined) return response;
  return {
    ...response,
    body: passOn(response.body, {
      map: (chunk) => {
        if (chunk.length < 5 || chunk[0] !== trailerFlag) return chunk;
        const view = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        if (view.readUInt32BE(1) !== chunk.length - 5) return chunk;
        const text = view.subarray(5).toString('latin1');
        let corrected = reached() ? text : text.replace(/^grpc-status: *13\r?$/m, `grpc-status: ${invalidArgument}`);
        const status = grpcStatusLine.exec(corrected)?.[1];
        const failed = status !== undefined && status !== grpcOk;
        const message = failed ? decodeLeniently(grpcMessageLine.exec(corrected)?.[1] ?? '') : undefined;
        if (failed && !grpcDetailsLine.test(corrected)) {
          corrected += `${headerStatusDetailsBin}: ${statusDetailsBinOf(Number(status), message ?? '')}\r\n`;
        }
        observe?.(status, message);
        return corrected === text ? chunk : trailerEnvelope(corrected);
      },
      broken: () => {
        const { status, message } = brokenAnswerStatus(reached);
        observe?.(status, message);
        return statusTrailerEnvelope(status, message);
      },
    }),
  };
}

const grpcStatusLine = /grpc-status:\s*(\d+)/i;
const grpcMessageLine = /^grpc-message: *([^\r\n]*)/im;
const grpcDetailsLine = /^grpc-status-details-bin:/im;
const grpcOk = '0';

// Connect unary, an error connect raised before any interceptor: a JSON error body. INTERNAL
// (HTTP 500) becomes INVALID_ARGUMENT (HTTP 400), and the error gets its code's ErrorInfo.
export async function correctConnect(response: UniversalServerResponse): Promise<UniversalServerResponse> {
  if (response.body === undefined || response.header?.get('content-encoding')) return response;
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body) chunks.push(chunk);
  const original = Buffer.concat(chunks);
  let error: { code?: unknown; message?: unknown; details?: unknown };
  try {
    error = JSON.parse(original.toString('utf8')) as typeof error;
  } catch {
    return { ...response, body: once(original) };
  }
  const internal = error.code === 'internal';
  const code = internal ? Code.InvalidArgument : typeof error.code === 'string' ? codeFromString(error.code) : undefined;
  if (code === undefined || (!internal && error.details !== undefined)) return { ...response, body: once(original) };
  const message = typeof error.message === 'string' ? error.message : '';
  const details = error.details ?? connectJsonDetailsOf(code, message);
  const body = Buffer.from(JSON.stringify({ ...error, code: internal ? 'invalid_argument' : error.code, details }), 'utf8');
  const header = new Headers(response.header);
  header.set('content-length', String(body.length));
  return { ...response, status: internal ? 400 : response.status, header, body: once(body) };
}

/** A body of `bytes`, or an empty one. */
async function* once(bytes?: Uint8Array): AsyncIterable<Uint8Array> {
  if (bytes !== undefined) yield new Uint8Array(bytes);
}

interface PassOn {
  /** Applied to each chunk on its way out. */
  readonly map?: (chunk: Uint8Array) => Uint8Array;
  /** Called before the end of the body is reported, so trailers read after it see the change. */
  readonly end?: () => void;
  /** Called when producing the body failed; may return one last chunk, then the body ends. */
  readonly broken?: () => Uint8Array | undefined;
}

/**
 * `body` passed on through `handlers`. throw() and return() reach the original, as connect-node
 * uses them to tell the handler about a failed write.
 */
function passOn(body: AsyncIterable<Uint8Array>, handlers: PassOn): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]() {
      const inner = body[Symbol.asyncIterator]();
      let last: Uint8Array | undefined;
      let finished = false;
      const iterator: AsyncIterator<Uint8Array> = {
        async next() {
          if (finished) {
            const value = last;
            last = undefined;
            return value === undefined ? { done: true, value: undefined } : { done: false, value };
          }
          let result: IteratorResult<Uint8Array>;
          try {
            result = await inner.next();
          } catch (error) {
            if (handlers.broken === undefined) throw error;
            finished = true;
            last = handlers.broken();
            return iterator.next();
          }
          if (result.done === true) {
            handlers.end?.();
            return result;
          }
          return { done: false, value: handlers.map ? handlers.map(result.value) : result.value };
        },
      };
      if (inner.throw) iterator.throw = (error?: unknown) => inner.throw!(error);
      if (inner.return) iterator.return = (value?: unknown) => inner.return!(value);
      return iterator;
    },
  };
}
