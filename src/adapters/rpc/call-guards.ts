// The call policy (call-policy.ts) as connect interceptors: a unary call ends at the client's
// deadline — never a late OK; and a call is admitted (not closing, a valid token, within its
// caller's rate limit) before its handler runs.
import { createContextKey, type Interceptor } from '@connectrpc/connect';
import { parseTimeout as parseConnectTimeout } from '@connectrpc/connect/protocol-connect';
import { parseTimeout as parseGrpcTimeout } from '@connectrpc/connect/protocol-grpc';
import { principalKey } from './auth.ts';
import { lateError, type CallPolicy } from './call-policy.ts';
import { abortedCallError } from './errors.ts';

/**
 * The client's deadline (epoch ms) as the deadline interceptor reckons it, for handlers
 * to hand to the store: one instant for both, so a store call that stops at the deadline
 * is always answered DEADLINE_EXCEEDED, never UNAVAILABLE a moment before it.
 */
export const callDeadlineKey = createContextKey<number | undefined>(undefined, { description: 'call deadline' });

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
 * failure, is also turned into DEADLINE_EXCEEDED here (call-policy.ts lateError): the client
 * has given up by then, and its log line must say deadline_exceeded, not ok.
 * A call without a deadline gets no Promise and no abort listener: it can only end early
 * because its client went, and that is checked once the handler is done.
 */
export function deadlineInterceptor(): Interceptor {
  return (next) => async (request) => {
    if (request.stream) return next(request);
    const deadline = clientDeadline(request.header, Date.now());
    request.contextValues.set(callDeadlineKey, deadline);
    const signal = request.signal;
    if (signal.aborted) throw abortedCallError(signal.reason);
    if (deadline === undefined) {
      const response = await next(request);
      if (signal.aborted) throw abortedCallError(signal.reason);
      return response;
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(abortedCallError(signal.reason));
      signal.addEventListener('abort', onAbort, { once: true });
      next(request)
        .then(
          (response) => {
            const late = lateError(deadline);
            if (late === undefined) resolve(response);
            else reject(late);
          },
          (error: unknown) => reject(lateError(deadline) ?? error),
        )
        .finally(() => signal.removeEventListener('abort', onAbort));
    });
  };
}

/**
 * The call policy's admission (not closing, a valid token, within the rate limit) for
 * connect-node calls; leaves the caller in the context values for handlers and the call log.
 */
export function policyInterceptor(policy: CallPolicy): Interceptor {
  return (next) => async (request) => {
    const principal = await policy.admit(request.service.typeName, request.header.get('authorization'));
    if (principal !== undefined) request.contextValues.set(principalKey, principal);
    return next(request);
  };
}
