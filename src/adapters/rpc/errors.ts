// The one place that knows both domain errors and Connect codes (STYLE §4). Anything
// that is not a domain error becomes INTERNAL with a generic message; the original
// rides along as `cause` (never serialized) so the call's log line can record it.
// Every error leaves with a google.rpc.ErrorInfo (SPEC §6, AIP-193): a domain error's reason
// is its type's (src/domain/errors.ts), the transport's own refusals have theirs here, and
// INVALID_ARGUMENT on a field adds a google.rpc.BadRequest naming it.
import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import { errorToJson } from '@connectrpc/connect/protocol-connect';
import { headerStatusDetailsBin, setTrailerStatus } from '@connectrpc/connect/protocol-grpc';
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
import { BadRequestSchema, ErrorInfoSchema, RetryInfoSchema } from '../../gen/google/rpc/error_details_pb.ts';

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

/** ErrorInfo.domain of every error the service sends. */
export const errorDomain = 'videosvc';

/**
 * The reasons of errors the transport raises itself, beside the domain's table: the named
 * refusals, and one per code for errors connect raises (protocol faults, its own deadline):
 * a request connect cannot decode is INVALID_ARGUMENT, and connect's only RESOURCE_EXHAUSTED
 * is a message over the size limit.
 */
export const transportReasons = {
  rateLimited: 'RATE_LIMITED',
  serverBusy: 'SERVER_BUSY',
  shuttingDown: 'SHUTTING_DOWN',
  serviceNotFound: 'SERVICE_NOT_FOUND',
  internal: 'INTERNAL',
  byCode: {
    [Code.Canceled]: 'CANCELLED',
    [Code.Unknown]: 'UNKNOWN',
    [Code.InvalidArgument]: 'MALFORMED_REQUEST',
    [Code.DeadlineExceeded]: 'DEADLINE_EXCEEDED',
    [Code.NotFound]: 'NOT_FOUND',
    [Code.AlreadyExists]: 'ALREADY_EXISTS',
    [Code.PermissionDenied]: 'PERMISSION_DENIED',
    [Code.ResourceExhausted]: 'REQUEST_TOO_LARGE',
    [Code.FailedPrecondition]: 'FAILED_PRECONDITION',
    [Code.Aborted]: 'ABORTED',
    [Code.OutOfRange]: 'OUT_OF_RANGE',
    [Code.Unimplemented]: 'UNIMPLEMENTED',
    [Code.Internal]: 'INTERNAL',
    [Code.Unavailable]: 'UNAVAILABLE',
    [Code.DataLoss]: 'DATA_LOSS',
    [Code.Unauthenticated]: 'UNAUTHENTICATED',
  } satisfies Record<Code, string>,
} as const;

type Detail = NonNullable<ConstructorParameters<typeof ConnectError>[3]>[number];

/** The ErrorInfo detail of `reason`, with `metadata`. */
function errorInfo(reason: string, metadata: Readonly<Record<string, string>> = {}): Detail {
  return { desc: ErrorInfoSchema, value: { reason, domain: errorDomain, metadata: { ...metadata } } };
}

/** A domain error's details: ErrorInfo, and for a wrong field a BadRequest naming it. */
function domainDetails(error: VideoError, code: Code): Detail[] {
  const details = [errorInfo(error.reason ?? transportReasons.byCode[code], error.metadata)];
  if (error instanceof InvalidArgument) {
    details.push({ desc: BadRequestSchema, value: { fieldViolations: [{ field: error.field, description: error.rule }] } });
  }
  return details;
}

/** Whether `error` carries an ErrorInfo already (ours, or one a client or connect put there). */
function hasErrorInfo(error: ConnectError): boolean {
  return error.details.some((detail) => ('desc' in detail ? detail.desc.typeName : detail.type) === ErrorInfoSchema.typeName);
}

/** `error` with the ErrorInfo of its code added when it has none (an error connect raised itself). */
export function withErrorInfo(error: ConnectError): ConnectError {
  if (hasErrorInfo(error)) return error;
  const withInfo = new ConnectError(error.rawMessage, error.code, error.metadata, [errorInfo(transportReasons.byCode[error.code])], error.cause);
  withInfo.details.push(...error.details);
  return withInfo;
}

/**
 * For an answer connect-node encoded itself, before any interceptor (a request it could not
 * decode or that is over the size limit): the grpc-status-details-bin value (a google.rpc.Status
 * with its code's ErrorInfo), as connect encodes details.
 */
export function statusDetailsBinOf(code: Code, message: string): string {
  return setTrailerStatus(new Headers(), wellFormed(withErrorInfo(new ConnectError(message, code)))).get(headerStatusDetailsBin) ?? '';
}

/** The same for a Connect JSON error body: the value of its `details`. */
export function connectJsonDetailsOf(code: Code, message: string): unknown {
  return errorToJson(wellFormed(withErrorInfo(new ConnectError(message, code))), undefined).details;
}

/** The message INTERNAL carries: nothing about the cause, which stays in the server log. */
export const internalMessage = 'internal error; the failure was logged on the server';

/** Maps a thrown value to the ConnectError the client sees. */
export function toConnectError(error: unknown): ConnectError {
  if (error instanceof ConnectError) return wellFormed(withErrorInfo(error));
  if (error instanceof VideoError) {
    const code = codes.find(([type]) => error instanceof type)?.[1];
    if (code !== undefined) return wellFormed(new ConnectError(error.message, code, undefined, domainDetails(error, code), error));
  }
  return new ConnectError(internalMessage, Code.Internal, undefined, [errorInfo(transportReasons.internal)], error);
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
  const mended = new ConnectError(message, error.code, error.metadata, undefined, error.cause ?? error);
  mended.details.push(...error.details);
  return mended;
}

/** The refusal of a new call once the server is closing: UNAVAILABLE, which clients retry elsewhere. */
export function shuttingDownError(): ConnectError {
  return new ConnectError('the server is shutting down; retry the call', Code.Unavailable, undefined, [errorInfo(transportReasons.shuttingDown)]);
}

/**
 * A caller over its rate limit: RESOURCE_EXHAUSTED with a google.rpc.RetryInfo whose
 * retry_delay is when its bucket next holds a call (SPEC §6), so clients back off exactly.
 */
export function rateLimitedError(retryAfterMs: number): ConnectError {
  const delayMs = Math.max(1, Math.ceil(retryAfterMs));
  const retryDelay = { seconds: BigInt(Math.floor(delayMs / 1000)), nanos: (delayMs % 1000) * 1_000_000 };
  return new ConnectError(`rate limit exceeded for this caller; retry in ${delayMs} ms`, Code.ResourceExhausted, undefined, [
    errorInfo(transportReasons.rateLimited, { retry_delay_ms: String(delayMs) }),
    { desc: RetryInfoSchema, value: { retryDelay } },
  ]);
}

/** A call that reached its client's deadline before an answer could be sent. */
export function deadlineExceededError(): ConnectError {
  return new ConnectError('the deadline passed before the call completed', Code.DeadlineExceeded, undefined, [errorInfo(transportReasons.byCode[Code.DeadlineExceeded])]);
}

/** A call whose signal was aborted: connect's reason (DEADLINE_EXCEEDED at the deadline), else CANCELED. */
export function abortedCallError(reason: unknown): ConnectError {
  return withErrorInfo(ConnectError.from(reason, Code.Canceled));
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
  return new ConnectError(`${what}; retry the call later`, Code.ResourceExhausted, undefined, [errorInfo(transportReasons.serverBusy)]);
}

/** A request message over the size limit (SPEC §6), as connect-node words it: RESOURCE_EXHAUSTED. */
export function requestTooLargeError(lengthBytes: number, readMaxBytes: number): ConnectError {
  return new ConnectError(`message size ${lengthBytes} is larger than configured readMaxBytes ${readMaxBytes}`, Code.ResourceExhausted, undefined, [
    // No metadata: connect-node's own refusal of the same request cannot carry any, and a
    // program must read the same ErrorInfo whichever path served it.
    errorInfo(transportReasons.byCode[Code.ResourceExhausted]),
  ]);
}

/** Health Check of a service this server does not serve: NOT_FOUND, as the gRPC health protocol asks. */
export function unknownServiceError(service: string): ConnectError {
  return new ConnectError(`unknown service ${service}`, Code.NotFound, undefined, [errorInfo(transportReasons.serviceNotFound, { service })]);
}
