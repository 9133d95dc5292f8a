// A request whose bytes do not decode is the client's mistake, but connect-es reports a few
// such cases as INTERNAL: protobuf that does not parse ("parse binary: …"), a compressed
// envelope without grpc-encoding, a gzip body cut short ("decompression failed"). Clients
// and alerts read INTERNAL as "the server is broken" (issue 9: 0 INTERNAL under fuzzing), so
// those answers become INVALID_ARGUMENT here, with connect's message unchanged.
//
// Streams read their request inside the handler, so an interceptor catches the fault there.
// A unary request is read and parsed before any interceptor runs; its answer is already
// encoded when the handler returns, so it is corrected in the encoded answer — but only when
// no interceptor was reached, i.e. when the failure cannot have come from this server's code.
import { Code, ConnectError, createContextKey, createContextValues, type ConnectRouter, type Interceptor } from '@connectrpc/connect';
import type { UniversalHandler, UniversalServerRequest, UniversalServerResponse } from '@connectrpc/connect/protocol';

interface Reached {
  reached: boolean;
}

const reachedKey = createContextKey<Reached | undefined>(undefined, { description: 'interceptors reached' });

/** INTERNAL raised while reading the request is the request's fault: INVALID_ARGUMENT. */
function asRequestFault(error: unknown): unknown {
  if (error instanceof ConnectError && error.code === Code.Internal) {
    return new ConnectError(error.rawMessage, Code.InvalidArgument, error.metadata, undefined, error);
  }
  return error;
}

async function* requestMessages<T>(messages: AsyncIterable<T>): AsyncIterable<T> {
  try {
    yield* messages;
  } catch (error) {
    throw asRequestFault(error);
  }
}

/** Notes that the call reached the interceptors, and maps a streaming request's decode faults. */
export const requestFaultInterceptor: Interceptor = (next) => async (request) => {
  const marker = request.contextValues.get(reachedKey);
  if (marker !== undefined) marker.reached = true;
  if (!request.stream) return next(request);
  return next({ ...request, message: requestMessages(request.message) });
};

/** Wraps every handler of `router` so a unary request that failed to decode is answered INVALID_ARGUMENT. */
export function answerUndecodableRequestsAsInvalidArgument(router: ConnectRouter): void {
  router.handlers.forEach((handler, index) => {
    router.handlers[index] = Object.assign(correctingHandler(handler), handler);
  });
}

function correctingHandler(handler: UniversalHandler): (request: UniversalServerRequest) => Promise<UniversalServerResponse> {
  return async (request) => {
    const marker: Reached = { reached: false };
    // Without context values of its own the marker would be lost, and every INTERNAL corrected.
    request.contextValues ??= createContextValues();
    request.contextValues.set(reachedKey, marker);
    const response = await handler(request);
    const contentType = response.header?.get('content-type') ?? '';
    if (contentType.startsWith('application/grpc-web')) return correctGrpcWeb(response, marker);
    if (contentType.startsWith('application/grpc')) return correctGrpc(response, marker);
    if (response.status === 500 && contentType.startsWith('application/json') && !marker.reached) return correctConnect(response);
    return response;
  };
}

const internal = String(Code.Internal);
const invalidArgument = String(Code.InvalidArgument);

// gRPC: the status is a trailer, set once the body has been produced.
function correctGrpc(response: UniversalServerResponse, marker: Reached): UniversalServerResponse {
  const trailer = response.trailer;
  if (trailer === undefined || response.body === undefined) return response;
  const correct = (): void => {
    if (!marker.reached && trailer.get('grpc-status') === internal) trailer.set('grpc-status', invalidArgument);
  };
  correct();
  return { ...response, body: afterEach(response.body, (chunk) => chunk, correct) };
}

// gRPC-Web: the status travels in the body, in a trailer envelope (flag 0x80) of header lines.
function correctGrpcWeb(response: UniversalServerResponse, marker: Reached): UniversalServerResponse {
  if (response.body === undefined) return response;
  const trailerFlag = 0x80;
  return {
    ...response,
    body: afterEach(response.body, (chunk) => {
      if (marker.reached || chunk.length < 5 || chunk[0] !== trailerFlag) return chunk;
      const view = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (view.readUInt32BE(1) !== chunk.length - 5) return chunk;
      const text = view.subarray(5).toString('latin1');
      const corrected = text.replace(/^grpc-status: *13\r?$/m, `grpc-status: ${invalidArgument}`);
      if (corrected === text) return chunk;
      const body = Buffer.from(corrected, 'latin1');
      const prefix = Buffer.alloc(5);
      prefix[0] = trailerFlag;
      prefix.writeUInt32BE(body.length, 1);
      return new Uint8Array(Buffer.concat([prefix, body]));
    }),
  };
}

// Connect unary: HTTP 500 with a JSON error body; INVALID_ARGUMENT is HTTP 400.
async function correctConnect(response: UniversalServerResponse): Promise<UniversalServerResponse> {
  if (response.body === undefined || response.header?.get('content-encoding')) return response;
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body) chunks.push(chunk);
  const original = Buffer.concat(chunks);
  let error: { code?: unknown };
  try {
    error = JSON.parse(original.toString('utf8')) as { code?: unknown };
  } catch {
    return { ...response, body: once(original) };
  }
  if (error.code !== 'internal') return { ...response, body: once(original) };
  const body = Buffer.from(JSON.stringify({ ...error, code: 'invalid_argument' }), 'utf8');
  const header = new Headers(response.header);
  header.set('content-length', String(body.length));
  return { ...response, status: 400, header, body: once(body) };
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield new Uint8Array(bytes);
}

/**
 * `body` with each chunk passed through `map`, calling `done` before its end is reported, so
 * trailers read after the body see the change. throw() and return() reach the original, as
 * connect-node uses them to tell the handler about a failed write.
 */
function afterEach(body: AsyncIterable<Uint8Array>, map: (chunk: Uint8Array) => Uint8Array, done?: () => void): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]() {
      const inner = body[Symbol.asyncIterator]();
      const iterator: AsyncIterator<Uint8Array> = {
        async next() {
          const result = await inner.next();
          if (result.done === true) {
            done?.();
            return result;
          }
          return { done: false, value: map(result.value) };
        },
      };
      if (inner.throw) iterator.throw = (error?: unknown) => inner.throw!(error);
      if (inner.return) iterator.return = (value?: unknown) => inner.return!(value);
      return iterator;
    },
  };
}
