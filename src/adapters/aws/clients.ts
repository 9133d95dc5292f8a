// Builds the AWS SDK clients videosvc uses. Region comes from Config (AWS_REGION or
// AWS_DEFAULT_REGION; the SDK itself ignores the latter); endpoints come from the
// SDK's own AWS_ENDPOINT_URL_SSM / AWS_ENDPOINT_URL_SECRETS_MANAGER handling unless a
// test passes one. Short timeouts and few retries so a dead endpoint fails start-up
// in seconds instead of hanging.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient, type SSMClientConfig } from '@aws-sdk/client-ssm';
import type { Config } from '../../app/config.ts';
import { recordEndpointOnFailure } from './failure.ts';

/** Overrides for tests and tools: where to send requests, whose credentials to sign with. */
export interface AwsClientOptions {
  readonly endpoint?: string;
  readonly region?: string;
  readonly credentials?: SSMClientConfig['credentials'];
  readonly maxAttempts?: number;
  readonly requestTimeoutMs?: number;
}

const defaultMaxAttempts = 3;
const defaultConnectionTimeoutMs = 2_000;
const defaultRequestTimeoutMs = 5_000;

function clientConfig(config: Pick<Config, 'awsRegion'>, options: AwsClientOptions) {
  const region = options.region ?? config.awsRegion;
  return {
    ...(region === undefined ? {} : { region }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    maxAttempts: options.maxAttempts ?? defaultMaxAttempts,
    requestHandler: {
      connectionTimeout: defaultConnectionTimeoutMs,
      requestTimeout: options.requestTimeoutMs ?? defaultRequestTimeoutMs,
      // Without this the SDK only logs a warning and keeps waiting on a silent endpoint.
      throwOnRequestTimeout: true,
    },
  };
}

/** An SSM client for Config's region; call destroy() when done. */
export function createSsmClient(config: Pick<Config, 'awsRegion'>, options: AwsClientOptions = {}): SSMClient {
  const client = new SSMClient(clientConfig(config, options));
  recordEndpointOnFailure(client.middlewareStack);
  return client;
}

/** A Secrets Manager client for Config's region; call destroy() when done. */
export function createSecretsManagerClient(
  config: Pick<Config, 'awsRegion'>,
  options: AwsClientOptions = {},
): SecretsManagerClient {
  const client = new SecretsManagerClient(clientConfig(config, options));
  recordEndpointOnFailure(client.middlewareStack);
  return client;
}
