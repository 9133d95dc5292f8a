// DynamoDB failures → domain errors, at the adapter's edge. Nothing above the adapter
// ever sees an SDK error (STYLE §4).
import { StoreUnavailable, VideoError } from '../../domain/errors.ts';

/**
 * The table or index is missing or shaped wrongly, or DynamoDB cannot be reached at
 * start-up. The message is one line naming the table/index and what to fix.
 */
export class DynamoSetupError extends Error {
  override readonly name = 'DynamoSetupError';
}

/** DynamoDB refused a request for a reason that is neither the caller's nor transient (a bug). */
export class DynamoRequestFailed extends VideoError {
  constructor(operation: string, options?: ErrorOptions) {
    super(`the video store refused a ${operation} request`, options);
  }
}

// Errors DynamoDB (or the SDK) reports when it is overloaded or asks the caller to slow down.
const throttling = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
]);
// Errors that mean the store did not answer: network, timeouts, server side.
const unreachable = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'CredentialsProviderError',
  'AbortError',
]);
const networkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

interface SdkErrorShape {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

/** The SDK error's name (ConditionalCheckFailedException, …), or undefined for non-errors. */
export function errorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}

/** Whether an error says the store is down, overloaded or unreachable (so a retry may succeed). */
export function isUnavailable(err: unknown): boolean {
  const shape = (err ?? {}) as SdkErrorShape;
  if (shape.name && (throttling.has(shape.name) || unreachable.has(shape.name))) return true;
  if (shape.code && networkCodes.has(shape.code)) return true;
  return (shape.$metadata?.httpStatusCode ?? 0) >= 500;
}

/**
 * Translates an SDK error from a runtime call into a domain error: throttling, network
 * and 5xx → StoreUnavailable (the SDK has already retried); a missing table →
 * StoreUnavailable naming it (someone deleted it under a running service); anything
 * else → DynamoRequestFailed (not retryable, no SDK detail in the message).
 */
export function toStoreError(err: unknown, table: string, operation: string): Error {
  if (err instanceof VideoError) return err;
  if (isUnavailable(err)) {
    const reason = throttling.has(errorName(err) ?? '') ? 'is throttling requests' : 'is unreachable';
    return new StoreUnavailable(`the video store (DynamoDB) ${reason}; retry later`, { cause: err });
  }
  if (errorName(err) === 'ResourceNotFoundException') {
    return new StoreUnavailable(`the video store's DynamoDB table "${table}" was not found`, { cause: err });
  }
  return new DynamoRequestFailed(operation, { cause: err });
}
