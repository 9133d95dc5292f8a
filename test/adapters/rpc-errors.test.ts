// The one mapping (src/adapters/rpc/errors.ts): every domain error type leaves with its code
// and an ErrorInfo naming its reason; the transport's own errors carry theirs; an error connect
// raised with no ErrorInfo gets its code's; a RetryInfo or BadRequest is never lost on the way.
import { Code, ConnectError } from '@connectrpc/connect';
import { describe, expect, it } from 'vitest';
import {
  abortedCallError,
  deadlineExceededError,
  errorDomain,
  internalMessage,
  rateLimitedError,
  requestTooLargeError,
  serverBusyError,
  shuttingDownError,
  toConnectError,
  unknownServiceError,
} from '../../src/adapters/rpc/errors.ts';
import { errorReasons, InvalidArgument, VideoError } from '../../src/domain/errors.ts';
import { BadRequestSchema, ErrorInfoSchema, RetryInfoSchema } from '../../src/gen/google/rpc/error_details_pb.ts';

function reasonOf(error: ConnectError): string | undefined {
  const infos = error.findDetails(ErrorInfoSchema);
  expect(infos).toHaveLength(1);
  expect(infos[0]!.domain).toBe(errorDomain);
  return infos[0]!.reason;
}

describe('the error mapping', () => {
  it('gives every domain error type a code other than INTERNAL and its own reason', () => {
    for (const [type, reason] of errorReasons) {
      const error = toConnectError(Object.assign(Object.create(type.prototype) as VideoError, { message: `a ${type.name}` }));
      expect({ type: type.name, internal: error.code === Code.Internal, reason: reasonOf(error) }).toEqual({ type: type.name, internal: false, reason });
    }
  });

  it('adds a BadRequest naming the field to INVALID_ARGUMENT, keeping the message', () => {
    const error = toConnectError(new InvalidArgument('video_ids[2]', 'duplicate id x'));
    expect([error.code, error.rawMessage, reasonOf(error)]).toEqual([Code.InvalidArgument, 'video_ids[2]: duplicate id x', 'INVALID_FIELD']);
    expect(error.findDetails(BadRequestSchema)[0]?.fieldViolations.map(({ field, description }) => ({ field, description }))).toEqual([
      { field: 'video_ids[2]', description: 'duplicate id x' },
    ]);
  });

  it('makes anything else INTERNAL with the generic message and reason INTERNAL, the cause kept for the log only', () => {
    const cause = new Error('SQLITE_CORRUPT: at /srv/db');
    const error = toConnectError(cause);
    expect([error.code, error.rawMessage, reasonOf(error), error.cause]).toEqual([Code.Internal, internalMessage, 'INTERNAL', cause]);
  });

  it('gives an error connect raised its code’s reason and keeps its other details', () => {
    expect(reasonOf(toConnectError(new ConnectError('the operation timed out', Code.DeadlineExceeded)))).toBe('DEADLINE_EXCEEDED');
    expect(reasonOf(toConnectError(new ConnectError('parse binary: premature EOF', Code.InvalidArgument)))).toBe('MALFORMED_REQUEST');
    expect(reasonOf(abortedCallError(new Error('client went away')))).toBe('CANCELLED');
    const limited = toConnectError(rateLimitedError(1500));
    expect(reasonOf(limited)).toBe('RATE_LIMITED');
    expect(limited.findDetails(RetryInfoSchema)[0]?.retryDelay).toMatchObject({ seconds: 1n, nanos: 500_000_000 });
  });

  it('keeps the details when it mends a message holding half a UTF-16 pair', () => {
    const error = toConnectError(new InvalidArgument('title', 'bad \uD800'));
    expect(error.rawMessage).toBe('title: bad \uFFFD');
    expect(reasonOf(error)).toBe('INVALID_FIELD');
    expect(error.findDetails(BadRequestSchema)).toHaveLength(1);
  });

  it('names each of the transport’s own refusals', () => {
    const reasons = [shuttingDownError(), rateLimitedError(10), deadlineExceededError(), serverBusyError('busy'), requestTooLargeError(2, 1), unknownServiceError('x.Y')].map(
      (error) => [error.code, reasonOf(error)],
    );
    expect(reasons).toEqual([
      [Code.Unavailable, 'SHUTTING_DOWN'],
      [Code.ResourceExhausted, 'RATE_LIMITED'],
      [Code.DeadlineExceeded, 'DEADLINE_EXCEEDED'],
      [Code.ResourceExhausted, 'SERVER_BUSY'],
      [Code.ResourceExhausted, 'REQUEST_TOO_LARGE'],
      [Code.NotFound, 'SERVICE_NOT_FOUND'],
    ]);
  });
});
