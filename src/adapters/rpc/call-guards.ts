// Two rules every call obeys, as interceptors: no new call is accepted once the server is
// closing (UNAVAILABLE, which clients retry elsewhere), and a unary call ends at the
// client's deadline — never a late OK.
import { createContextKey, type Interceptor } from '@connectrpc/connect';
import { parseTimeout as parseConnectTimeout } from '@connectrpc/connect/protocol-connect';
import { parseTimeout as parseGrpcTimeout } from '@connectrpc/connect/protocol-grpc';
import { isPublicService } from './auth.ts';
import { abortedCallError, deadlineExceededError, shuttingDownError } from './errors.ts';

/**
 * The client's deadline (epoch ms) as the deadline interceptor reckons it, for handlers
 * to hand to the store: one instant for both, so a store call that stops at the deadline
 * is always answered DEADLINE_EXCEEDED, never UNAVAILABLE a moment before it.
 */
export const callDeadlineKey = createContextKey<number | undefined>(undefined, { description: 'call deadline' });

/** Refuses non-public calls with UNAVAILABLE once `closing` is aborted; in-flight calls are unaffected. */
export function refuseWhileClosing(closing: AbortSignal): Interceptor {
  return (next) => async (request) => {
    if (closing.aborted && !isPublicService(request.service.typeName)) {
      throw shuttingDownError();
    }
    return next(request);
  };
}

/**
 * The client's deadline as epoch ms, from the header its protocol uses (grpc-timeout for
 * gRPC and gRPC-Web, connect-timeout-ms for Connect); undefined when it set none.
 * connect-node has already refused a malformed value before any interceptor runs.
 */
export function clientDeadline(header: Headers, now: number): number | undefined {
  const grpc = header.get('grpc-timeout');
  if (grpc !== null) {
    const { timeoutMs } = parseGrpcTimeout(grpc, Number.MAX_SAFE_INTEGER);
    return timeoutMs === undefined ? undefined : now + timeoutMs;
  }
  const connect = header.get('connect-timeout-ms');
  if (connect !== null) {
    const { timeoutMs } = parseConnectTimeout(connect, Number.MAX_SAFE_INTEGER);
    return timeoutMs === undefined ? undefined : now + timeoutMs;
  }
  return undefined;
}

/**
 * Answers a unary call with the reason its signal was aborted (DEADLINE_EXCEEDED when the
 * deadline passes, CANCELED when the client goes) instead of waiting for the handler.
 * connect's deadline is a timer, and a timer cannot fire while a synchronous store read
 * holds the event loop; so an answer that arrives at or after the deadline, success or
 * failure, is also turned into DEADLINE_EXCEEDED here: the client has given up by then,
 * and its log line must say deadline_exceeded, not ok.
 */
export function deadlineInterceptor(): Interceptor {
  return (next) => async (request) => {
    if (request.stream) return next(request);
    const deadline = clientDeadline(request.header, Date.now());
    request.contextValues.set(callDeadlineKey, deadline);
    const signal = request.signal;
    if (signal.aborted) throw abortedCallError(signal.reason);
    const late = (): boolean => deadline !== undefined && Date.now() >= deadline;
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(abortedCallError(signal.reason));
      signal.addEventListener('abort', onAbort, { once: true });
      next(request)
        .then(
          (response) => (late() ? reject(deadlineExceededError()) : resolve(response)),
          (error: unknown) => reject(late() ? deadlineExceededError() : error),
        )
        .finally(() => signal.removeEventListener('abort', onAbort));
    });
  };
}
