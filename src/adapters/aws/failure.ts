// Turns an AWS SDK failure into the one start-up line SPEC §5 asks for: what was being
// read, from which service and endpoint, and why. The only place that inspects SDK
// errors for the SSM and Secrets Manager adapters. Never prints credentials or
// response bodies: only error names, network causes and HTTP statuses. The SDK error
// is deliberately not attached as `cause`, so a logger cannot serialize its raw response.
import { ConfigError } from '../../app/config.ts';

export type AwsFailureKind = 'not-found' | 'denied' | 'unreachable' | 'credentials' | 'region' | 'other';

export interface AwsFailure {
  readonly kind: AwsFailureKind;
  /** A short, single-line cause, e.g. `AccessDeniedException` or `connect ECONNREFUSED 127.0.0.1:9`. */
  readonly cause: string;
  /** The URL the failed request went to, when the request got that far. */
  readonly endpoint?: string;
}

const notFound = new Set(['ResourceNotFoundException', 'ParameterNotFound']);
const denied = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'KMSAccessDeniedException']);
const badCredentials = new Set([
  'CredentialsProviderError',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'InvalidClientTokenId',
  'MissingAuthenticationToken',
  'ExpiredTokenException',
  'ExpiredToken',
]);
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

// Keyed by the error object so SDK errors are not mutated.
const endpoints = new WeakMap<object, string>();

// `any` because each SDK client types its stack for its own input and output shapes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (args: any) => Promise<any>;

/** The part of an SDK client's middleware stack this module uses. */
export interface MiddlewareStackLike {
  add(middleware: (next: Handler) => Handler, options: { step: 'finalizeRequest'; name: string }): void;
}

/** Adds a middleware that remembers which URL a failed request went to (for the error line). */
export function recordEndpointOnFailure(stack: MiddlewareStackLike): void {
  stack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const url = requestUrl((args as { request?: unknown }).request);
        if (url !== undefined && typeof error === 'object' && error !== null) endpoints.set(error, url);
        throw error;
      }
    },
    { step: 'finalizeRequest', name: 'videosvcRecordEndpointOnFailure' },
  );
}

function requestUrl(request: unknown): string | undefined {
  if (typeof request !== 'object' || request === null) return undefined;
  const { protocol, hostname, port, path } = request as Record<string, unknown>;
  if (typeof hostname !== 'string' || typeof protocol !== 'string') return undefined;
  // Deliberately leaves out username/password and query: only where, never who.
  const portPart = typeof port === 'number' ? `:${port}` : '';
  const pathPart = typeof path === 'string' && path !== '/' ? path : '';
  return `${protocol}//${hostname}${portPart}${pathPart}`;
}

/** Classifies an SDK (or network) error without looking at any response body. */
export function classifyAwsFailure(error: unknown): AwsFailure {
  const record = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const name = typeof record.name === 'string' ? record.name : 'Error';
  const code = typeof record.code === 'string' ? record.code : undefined;
  const message = oneLine(typeof record.message === 'string' ? record.message : String(error));
  const status = (record.$metadata as { httpStatusCode?: number } | undefined)?.httpStatusCode;
  const endpoint = typeof error === 'object' && error !== null ? endpoints.get(error) : undefined;
  const base = endpoint === undefined ? {} : { endpoint };

  if (notFound.has(name)) return { kind: 'not-found', cause: name, ...base };
  if (denied.has(name)) return { kind: 'denied', cause: name, ...base };
  if (badCredentials.has(name)) return { kind: 'credentials', cause: `${name}: ${message}`, ...base };
  if (/region is missing/i.test(message)) return { kind: 'region', cause: message, ...base };
  if ((code !== undefined && networkCodes.has(code)) || name === 'TimeoutError') {
    return { kind: 'unreachable', cause: message, ...base };
  }
  const statusPart = status === undefined ? '' : ` (HTTP ${status})`;
  return { kind: 'other', cause: `${name}: ${message}${statusPart}`, ...base };
}

/**
 * The one wording, shared by `serve` and every command, for a request the SDK could not
 * sign: no region, or no usable credentials. It names the variables to set (SPEC §5);
 * undefined for any other failure. `purpose` completes the sentence, e.g. `for DynamoDB`
 * or `to read secret x from Secrets Manager`.
 */
export function missingAwsSetting(error: unknown, purpose: string): string | undefined {
  const failure = classifyAwsFailure(error);
  if (failure.kind === 'region') return `no AWS region ${purpose}: set AWS_REGION`;
  if (failure.kind === 'credentials') {
    return `no usable AWS credentials ${purpose} (${failure.cause}); set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`;
  }
  return undefined;
}

/**
 * The ConfigError for a failed read of `subject` (e.g. `secret videosvc/jwt`) from
 * `service`; `notFoundLine` is the whole message when the thing does not exist.
 */
export function awsConfigError(service: string, subject: string, error: unknown, notFoundLine: string): ConfigError {
  const missing = missingAwsSetting(error, `to read ${subject} from ${service}`);
  if (missing !== undefined) return new ConfigError(missing);
  const failure = classifyAwsFailure(error);
  const where = failure.endpoint ?? 'its endpoint';
  switch (failure.kind) {
    case 'not-found':
      return new ConfigError(notFoundLine);
    case 'denied':
      return new ConfigError(`${service} denied access to ${subject}: ${failure.cause}`);
    case 'unreachable':
      return new ConfigError(`cannot reach ${service} at ${where} to read ${subject}: ${failure.cause}`);
    case 'credentials': // both answered by missingAwsSetting above
    case 'region':
    case 'other':
      return new ConfigError(`${service} failed to read ${subject} at ${where}: ${failure.cause}`);
  }
}

function oneLine(text: string): string {
  // The SDK's HTTP handler prefixes its own timeout errors with a logger tag.
  const line = text.replace(/\s+/g, ' ').replace(/^@smithy\/[\w-]+ - \[\w+\] /, '').replace(/\.$/, '').trim();
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
