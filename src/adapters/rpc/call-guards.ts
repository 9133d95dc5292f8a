// Two rules every call obeys, as interceptors: no new call is accepted once the server is
// closing (UNAVAILABLE, which clients retry elsewhere), and a unary call ends at the
// client's deadline even if the store has not answered yet.
import type { Interceptor } from '@connectrpc/connect';
import { isPublicService } from './auth.ts';
import { abortedCallError, shuttingDownError } from './errors.ts';

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
 * Answers a unary call with the reason its signal was aborted (DEADLINE_EXCEEDED when the
 * grpc-timeout / connect-timeout-ms deadline passes, CANCELED when the client goes) instead
 * of waiting for the handler. The store port takes no signal, so the store call itself runs on.
 */
export function deadlineInterceptor(): Interceptor {
  return (next) => async (request) => {
    if (request.stream) return next(request);
    const signal = request.signal;
    if (signal.aborted) throw abortedCallError(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(abortedCallError(signal.reason));
      signal.addEventListener('abort', onAbort, { once: true });
      next(request)
        .then(resolve, reject)
        .finally(() => signal.removeEventListener('abort', onAbort));
    });
  };
}
