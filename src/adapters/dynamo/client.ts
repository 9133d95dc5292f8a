// The DynamoDB clients the adapter uses, with retry and timeout settings chosen so a
// dead or throttling store fails fast (StoreUnavailable) instead of hanging a call.
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { classifyAwsFailure, recordEndpointOnFailure } from '../aws/failure.ts';

/** SDK attempts per request (first try + 2 retries with the SDK's jittered backoff). */
export const maxAttempts = 3;
/** Per-attempt limits: a store that does not answer within these is treated as down. */
export const connectionTimeoutMs = 1_000;
export const requestTimeoutMs = 3_000;

/**
 * A low-level client with modest retries and timeouts. Region, endpoint and credentials
 * come from the AWS SDK's own environment (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB …)
 * unless given here.
 */
export function createDynamoClient(overrides: DynamoDBClientConfig = {}): DynamoDBClient {
  const client = new DynamoDBClient({
    maxAttempts,
    requestHandler: { connectionTimeout: connectionTimeoutMs, requestTimeout: requestTimeoutMs },
    ...overrides,
  });
  // The SDK resolves AWS_ENDPOINT_URL_DYNAMODB per request, so client.config does not
  // know it; the failed request itself does, and start-up errors should name it.
  recordEndpointOnFailure(client.middlewareStack);
  return client;
}

/**
 * The document client over `client`. Numbers come back wrapped (NumberValue) so a
 * uint64 sizeBytes is never rounded through a double; undefined values are dropped
 * because item.ts leaves unknown fields undefined to omit them.
 */
export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
    unmarshallOptions: { wrapNumbers: true },
  });
}

/** Where a failed request went, for error messages ("http://127.0.0.1:8000" or "region us-east-1"). */
export async function describeEndpoint(client: DynamoDBClient, failure?: unknown): Promise<string> {
  const recorded = failure === undefined ? undefined : classifyAwsFailure(failure).endpoint;
  if (recorded !== undefined) return recorded.replace(/\/$/, '');
  try {
    const endpoint = await client.config.endpoint?.();
    if (endpoint) return `${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ''}`;
    return `region ${await client.config.region()}`;
  } catch {
    return 'the configured endpoint';
  }
}
