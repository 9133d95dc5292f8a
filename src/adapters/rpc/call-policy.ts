// The rules every call obeys, as plain functions: the one implementation both transports run
// (connect-node through the interceptors in call-guards.ts, auth.ts and rate-limit.ts; the lean
// unary gRPC path in unary-fast-path.ts directly). Refusal while closing, the client's deadline,
// authentication, the per-caller rate limit and the error mapping live here and nowhere else.
import type { ConnectError } from '@connectrpc/connect';
import { parseTimeout as parseGrpcTimeout } from '@connectrpc/connect/protocol-grpc';
import type { Principal } from '../../app/principal.ts';
import type { TokenVerifier } from '../token/verifier.ts';
import { isPublicService } from './auth.ts';
import { maxTimerMs } from './deadline-header.ts';
import { deadlineExceededError, rateLimitedError, shuttingDownError, toConnectError } from './errors.ts';
import type { CallerRateLimiter } from './rate-limit.ts';

export interface CallPolicyOptions {
  readonly verifier: TokenVerifier;
  readonly limiter: CallerRateLimiter;
  /** Aborted when the server starts closing: new non-public calls are refused (UNAVAILABLE). */
  readonly closing: AbortSignal;
}

export interface DeadlineGuard {
  /** The call settled before its deadline: the timer is cleared. */
  disarm(): void;
}

export interface CallPolicy {
  /**
   * The checks a call passes before its handler runs, in order: not closing, a valid token,
   * within its caller's rate limit. Resolves with the caller (undefined for the public
   * services: health, reflection), synchronously when the token was verified before;
   * rejects with the refusal.
   */
  admit(serviceTypeName: string, authorization: string | undefined | null): Principal | undefined | Promise<Principal | undefined>;
  /** The client's deadline (epoch ms) from a well-formed grpc-timeout value, clamped to what a timer can wait. */
  deadlineOf(grpcTimeout: string | undefined, now: number): number | undefined;
  /** The same from a well-formed connect-timeout-ms value. */
  connectDeadlineOf(connectTimeoutMs: string | undefined, now: number): number | undefined;
  /**
   * Arms the deadline of a call that has one: when it passes, `controller` is aborted and
   * `expired` told DEADLINE_EXCEEDED at once, without waiting for the handler. Nothing at all
   * (no timer, no listener, no Promise) for a call without a deadline.
   */
  guardDeadline(deadline: number | undefined, controller: AbortController, expired: (error: ConnectError) => void): DeadlineGuard | undefined;
  /**
   * DEADLINE_EXCEEDED when the deadline has passed: an answer that comes at or after it,
   * success or failure, is turned into that (a timer cannot fire while a synchronous store
   * read holds the event loop, and the client has given up by then).
   */
  lateError(deadline: number | undefined): ConnectError | undefined;
  /** The error mapping (errors.ts): what the client sees for anything thrown. */
  toConnectError(error: unknown): ConnectError;
}

/** Refuses non-public calls with UNAVAILABLE once `closing` is aborted; in-flight calls are unaffected. */
export function refuseIfClosing(closing: AbortSignal, serviceTypeName: string): void {
  if (closing.aborted && !isPublicService(serviceTypeName)) throw shuttingDownError();
}

/** Verifies the bearer token of a non-public call (at once for a cached one); undefined for the public services. */
export function authenticate(
  verifier: TokenVerifier,
  serviceTypeName: string,
  authorization: string | undefined | null,
): Principal | undefined | Promise<Principal | undefined> {
  if (isPublicService(serviceTypeName)) return undefined;
  return verifier.verify(authorization ?? null);
}

/** Takes one call from `caller`'s bucket, or refuses it with RESOURCE_EXHAUSTED and a RetryInfo. */
export function enforceRateLimit(limiter: CallerRateLimiter, caller: string | undefined): void {
  if (caller === undefined) return;
  const retryAfterMs = limiter.take(caller);
  if (retryAfterMs > 0) throw rateLimitedError(retryAfterMs);
}

/** The gRPC deadline as epoch ms; undefined when the header is absent or malformed (connect-node refuses those). */
export function grpcDeadline(grpcTimeout: string | undefined | null, now: number): number | undefined {
  if (grpcTimeout === undefined || grpcTimeout === null) return undefined;
  const { timeoutMs } = parseGrpcTimeout(grpcTimeout, Number.MAX_SAFE_INTEGER);
  // Beyond what setTimeout can wait, the deadline is the longest it can (deadline-header.ts).
  return timeoutMs === undefined ? undefined : now + Math.min(timeoutMs, clampedMs);
}

/** The Connect deadline as epoch ms from a well-formed connect-timeout-ms (up to 10 digits); undefined when absent. */
export function connectDeadline(connectTimeoutMs: string | undefined | null, now: number): number | undefined {
  if (connectTimeoutMs === undefined || connectTimeoutMs === null) return undefined;
  // Beyond what setTimeout can wait, the deadline is the longest it can (deadline-header.ts).
  return now + Math.min(Number(connectTimeoutMs), maxTimerMs);
}

// What deadline-header.ts rewrites a too-long grpc-timeout to: whole seconds below maxTimerMs.
const clampedMs = Math.floor(maxTimerMs / 1_000) * 1_000;

/** DEADLINE_EXCEEDED once `deadline` has passed. */
export function lateError(deadline: number | undefined): ConnectError | undefined {
  return deadline !== undefined && Date.now() >= deadline ? deadlineExceededError() : undefined;
}

/** Creates the call policy over the server's verifier, limiter and closing signal. */
export function createCallPolicy(options: CallPolicyOptions): CallPolicy {
  const { verifier, limiter, closing } = options;
  const withinRateLimit = (principal: Principal | undefined): Principal | undefined => {
    enforceRateLimit(limiter, principal?.ownerId);
    return principal;
  };
  return {
    admit(serviceTypeName, authorization) {
      try {
        refuseIfClosing(closing, serviceTypeName);
        const principal = authenticate(verifier, serviceTypeName, authorization);
        return principal instanceof Promise ? principal.then(withinRateLimit) : withinRateLimit(principal);
      } catch (error) {
        return Promise.reject(error as Error);
      }
    },
    deadlineOf: grpcDeadline,
    connectDeadlineOf: connectDeadline,
    guardDeadline(deadline, controller, expired) {
      if (deadline === undefined) return undefined;
      const timer = setTimeout(() => {
        const error = deadlineExceededError();
        controller.abort(error);
        expired(error);
      }, Math.max(0, deadline - Date.now()));
      return { disarm: () => clearTimeout(timer) };
    },
    lateError,
    toConnectError,
  };
}
