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
// An answer connect fails to finish at all (it throws while encoding a status message that
// holds half a character) is finished here too, instead of leaving the stream open for good.
import { Code, ConnectError, createContextKey, createContextValues, type ConnectRouter, type ContextValues, type Interceptor } from '@connectrpc/connect';
import type { UniversalHandler, UniversalServerRequest, UniversalServerResponse } from '@connectrpc/connect/protocol';
import { brokenAnswer, correctConnect, correctGrpc, correctGrpcWeb } from './encoded-answers.ts';

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

/** Told the gRPC or gRPC-Web status a call's answer ends with, and the call's context values. */
export type AnswerStatusObserver = (values: ContextValues, status: string | undefined, message?: string) => void;

/**
 * Wraps every handler of `router` so a unary request that failed to decode is answered
 * INVALID_ARGUMENT. The wrapper sees every encoded gRPC and gRPC-Web answer as it is made, so
 * it also tells `observe` the status each one ends with (the call log's code for calls no
 * interceptor saw), instead of anything watching the Node response.
 */
export function answerUndecodableRequestsAsInvalidArgument(router: ConnectRouter, observe?: AnswerStatusObserver): void {
  router.handlers.forEach((handler, index) => {
    router.handlers[index] = Object.assign(correctingHandler(handler, observe), handler);
  });
}

function correctingHandler(
  handler: UniversalHandler,
  observeAnswer: AnswerStatusObserver | undefined,
): (request: UniversalServerRequest) => Promise<UniversalServerResponse> {
  return async (request) => {
    const marker: Reached = { reached: false };
    const reached = () => marker.reached;
    // Without context values of its own the marker would be lost, and every INTERNAL corrected.
    request.contextValues ??= createContextValues();
    request.contextValues.set(reachedKey, marker);
    const values = request.contextValues;
    const observe =
      observeAnswer === undefined ? undefined : (status: string | undefined, message?: string) => observeAnswer(values, status, message);
    let response: UniversalServerResponse;
    try {
      response = await handler(request);
    } catch (error) {
      // Connect could not even start the answer (it failed on the status of its first chunk).
      const broken = brokenAnswer(request.header.get('content-type') ?? '', reached);
      if (broken === undefined) throw error;
      observe?.(broken.trailer?.get('grpc-status') ?? (reached() ? '13' : '3'));
      return broken;
    }
    const contentType = response.header?.get('content-type') ?? '';
    if (contentType.startsWith('application/grpc-web')) return correctGrpcWeb(response, reached, observe);
    if (contentType.startsWith('application/grpc')) return correctGrpc(response, reached, observe);
    if (response.status !== 200 && contentType.startsWith('application/json') && !reached()) return correctConnect(response);
    return response;
  };
}
