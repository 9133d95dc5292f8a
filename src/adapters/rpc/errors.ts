// The one place that knows both domain errors and Connect codes (STYLE §4). Anything
// that is not a domain error becomes INTERNAL with a generic message; the original
// rides along as `cause` (never serialized) so the call's log line can record it.
import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import {
  AlreadyExists,
  FailedPrecondition,
  InvalidArgument,
  NotFound,
  PermissionDenied,
  StaleEtag,
  StoreUnavailable,
  Unauthenticated,
  VideoError,
} from '../../domain/errors.ts';
import { RetryInfoSchema } from '../../gen/google/rpc/error_details_pb.ts';

// Checked in order, so a subclass (IllegalTransition) finds its parent's code.
const codes: ReadonlyArray<readonly [abstract new (...args: never[]) => VideoError, Code]> = [
  [NotFound, Code.NotFound],
  [AlreadyExists, Code.AlreadyExists],
  [InvalidArgument, Code.InvalidArgument],
  [FailedPrecondition, Code.FailedPrecondition],
  [StaleEtag, Code.Aborted],
  [PermissionDenied, Code.PermissionDenied],
  [Unauthenticated, Code.Unauthenticated],
  [StoreUnavailable, Code.Unavailable],
];

/** The message INTERNAL carries: nothing about the cause, which stays in the server log. */
export const internalMessage = 'internal error; the failure was logged on the server';

/** Maps a thrown value to the ConnectError the client sees. */
export function toConnectError(error: unknown): ConnectError {
  if (error instanceof ConnectError) return wellFormed(error);
  if (error instanceof VideoError) {
    const code = codes.find(([type]) => error instanceof type)?.[1];
    if (code !== undefined) return wellFormed(new ConnectError(error.message, code, undefined, undefined, error));
  }
  return new ConnectError(internalMessage, Code.Internal, undefined, undefined, error);
}

// Half of a UTF-16 surrogate pair, e.g. client text quoted in a message and cut mid-character.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * `error` with any lone surrogate in its message replaced by U+FFFD: connect percent-encodes
 * grpc-message with encodeURIComponent, which throws on one, and the gRPC answer then never ends.
 */
function wellFormed(error: ConnectError): ConnectError {
  if (!loneSurrogate.test(error.rawMessage)) return error;
  const message = error.rawMessage.replace(new RegExp(loneSurrogate.source, 'g'), '\uFFFD');
  return new ConnectError(message, error.code, error.metadata, undefined, error.cause ?? error);
}

/** The refusal of a new call once the server is closing: UNAVAILABLE, which clients retry elsewhere. */
export function shuttingDownError(): ConnectError {
  return new ConnectError('the server is shutting down; retry the call', Code.Unavailable);
}

/**
 * A caller over its rate limit: RESOURCE_EXHAUSTED with a google.rpc.RetryInfo whose
 * retry_delay is when its bucket next holds a call (SPEC §6), so clients back off exactly.
 */
export function rateLimitedError(retryAfterMs: number): ConnectError {
  const delayMs = Math.max(1, Math.ceil(retryAfterMs));
  const retryDelay = { seconds: BigInt(Math.floor(delayMs / 1000)), nanos: (delayMs % 1000) * 1_000_000 };
  return new ConnectError(`rate limit exceeded for this caller; retry in ${delayMs} ms`, Code.ResourceExhausted, undefined, [
    { desc: RetryInfoSchema, value: { retryDelay } },
  ]);
}

/** A call that reached its client's deadline before an answer could be sent. */
export function deadlineExceededError(): ConnectError {
  return new ConnectError('the deadline passed before the call completed', Code.DeadlineExceeded);
}

/** A call whose signal was aborted: connect's reason (DEADLINE_EXCEEDED at the deadline), else CANCELED. */
export function abortedCallError(reason: unknown): ConnectError {
  return ConnectError.from(reason, Code.Canceled);
}

/** Server interceptor applying toConnectError to unary results and to errors raised mid-stream. */
export function errorInterceptor(): Interceptor {
  return (next) => async (request) => {
    try {
      const response = await next(request);
      if (!response.stream) return response;
      return { ...response, message: mapStreamErrors(response.message) };
    } catch (error) {
      throw toConnectError(error);
    }
  };
}

async function* mapStreamErrors<T>(messages: AsyncIterable<T>): AsyncIterable<T> {
  try {
    yield* messages;
  } catch (error) {
    throw toConnectError(error);
  }
}

/** A call refused because a server-wide bound is reached (calls in flight, public streams): RESOURCE_EXHAUSTED. */
export function serverBusyError(what: string): ConnectError {
  return new ConnectError(`${what}; retry the call later`, Code.ResourceExhausted);
}
