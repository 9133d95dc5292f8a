// Environments for running the service against loopback AWS stand-ins: dynalite for
// DynamoDB and the fake AWS JSON server (test/support/fake-aws.ts) for SSM and Secrets
// Manager. The SDK signs with dummy credentials; both servers accept any signature.
import { vi } from 'vitest';
import { testCredentials } from '../support/fake-aws.ts';
import { baseEnv, type Env } from './cli-process.ts';

/** A region and dummy credentials, so the SDK never looks for real ones. */
export const awsTestEnv: Env = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: testCredentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey,
};

/** SSM and Secrets Manager both served by the fake at `endpoint`. */
export function fakeAwsEnv(endpoint: string): Env {
  return { ...awsTestEnv, AWS_ENDPOINT_URL_SSM: endpoint, AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint };
}

/** `videosvc serve` over DynamoDB at `dynamoEndpoint`, with its working directory `dir`. */
export function dynamoServeEnv(dir: string, dynamoEndpoint: string, extra: Env = {}): Env {
  return baseEnv(dir, { VIDEO_STORE: 'dynamodb', AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint, ...awsTestEnv, ...extra });
}

/**
 * For an in-process start(): the AWS SDK reads endpoints and credentials from
 * process.env itself, so they are stubbed there; undo with vi.unstubAllEnvs().
 */
export function stubProcessEnv(env: Env): void {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
}
