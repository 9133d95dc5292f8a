// The DynamoDB clients the adapter uses, with retry and timeout settings chosen so a
// dead or throttling store fails fast (StoreUnavailable) instead of hanging a call.
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

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
  return new DynamoDBClient({
    maxAttempts,
    requestHandler: { connectionTimeout: connectionTimeoutMs, requestTimeout: requestTimeoutMs },
    ...overrides,
  });
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

/** Where the client points, for error messages ("http://127.0.0.1:8000" or "region us-east-1"). */
export async function describeEndpoint(client: DynamoDBClient): Promise<string> {
  try {
    const endpoint = await client.config.endpoint?.();
    if (endpoint) return `${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ''}`;
    return `region ${await client.config.region()}`;
  } catch {
    return 'the configured endpoint';
  }
}
