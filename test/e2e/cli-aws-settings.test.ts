// Issue 12: every command that talks to AWS names the variable to set when the region or
// the credentials are missing, in serve's words (missingAwsSetting), instead of passing on
// the SDK's "Region is missing" or "Could not load credentials from any providers".
// Every endpoint is a closed loopback port, and the SDK is kept from looking for
// credentials anywhere else (no instance metadata, no config files), so nothing leaves the
// machine and no run waits on a credential lookup.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteVideoStore } from '../../src/adapters/sqlite/store.ts';
import { baseEnv, runCli, tempDir, type Env } from './cli-process.ts';

// Nothing listens on the discard port; a request that got that far would be refused.
const closedEndpoint = 'http://127.0.0.1:9';

function awsEnv(dir: string, extra: Env): Env {
  return baseEnv(dir, {
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
    AWS_ENDPOINT_URL_DYNAMODB: closedEndpoint,
    AWS_ENDPOINT_URL_SSM: closedEndpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: closedEndpoint,
    ...extra,
  });
}

const region = { AWS_REGION: 'us-east-1' };
const credentials = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
const dynamodb = { VIDEO_STORE: 'dynamodb', JWT_SECRET: 'aws-settings-test-secret-0123456789abcdef' };

// Each command, the environment it needs apart from region and credentials, and what its line says it was doing.
const commands: Array<[string, string[], Env, string]> = [
  ['serve (DynamoDB)', ['serve'], dynamodb, 'for DynamoDB'],
  ['serve (SSM parameters)', ['serve'], { ...dynamodb, SSM_PARAMETER_PREFIX: '/videosvc/test' }, 'to read parameter /videosvc/test/dynamoTable and /videosvc/test/dynamoOwnerIndex from SSM'],
  ['dynamo create-table', ['dynamo', 'create-table'], {}, 'to create table videos in DynamoDB'],
  ['dynamo create-index', ['dynamo', 'create-index'], {}, 'to add index OwnerCreatedIndex to table videos in DynamoDB'],
  ['dynamo create-index --status', ['dynamo', 'create-index', '--status'], {}, 'to add index OwnerStatusIndex to table videos in DynamoDB'],
  ['dynamo create-index --work', ['dynamo', 'create-index', '--work'], {}, 'to add index WorkIndex to table videos in DynamoDB'],
  ['dynamo backfill-status', ['dynamo', 'backfill-status'], {}, 'to backfill table videos in DynamoDB'],
  ['dynamo backfill-work', ['dynamo', 'backfill-work'], {}, 'to backfill table videos in DynamoDB'],
  ['dynamo create-table (SSM parameters)', ['dynamo', 'create-table'], { SSM_PARAMETER_PREFIX: '/videosvc/test' }, 'to read parameter /videosvc/test/dynamoTable and /videosvc/test/dynamoOwnerIndex from SSM'],
  ['migrate sqlite-to-dynamodb', ['migrate', 'sqlite-to-dynamodb'], {}, 'for DynamoDB'],
  ['token (Secrets Manager)', ['token', 'alice'], { JWT_SECRET_ID: 'videosvc/jwt' }, 'to read secret videosvc/jwt from Secrets Manager'],
];

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

async function runWithout(args: string[], extra: Env): Promise<{ code: number | null; stdout: string; lines: string[]; ms: number }> {
  const dir = tempDir();
  try {
    // migrate reads its SQLite database before it talks to DynamoDB: give it one.
    if (args[0] === 'migrate') await (await SqliteVideoStore.open({ path: join(dir.path, 'videos.sqlite') })).close();
    const started = Date.now();
    const result = await runCli(args, awsEnv(dir.path, extra), dir.path);
    return { code: result.code, stdout: result.stdout, lines: result.stderr.trimEnd().split('\n'), ms: Date.now() - started };
  } finally {
    dir.remove();
  }
}

describe.concurrent('a command that talks to AWS names the variable to set', () => {
  it.each(commands)('%s without AWS_REGION names AWS_REGION', async (_name, args, extra, purpose) => {
    const result = await runWithout(args, { ...extra, ...credentials });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.lines).toEqual([`videosvc: no AWS region ${purpose}: set AWS_REGION`]);
  });

  it.each(commands)('%s without credentials names AWS_ACCESS_KEY_ID', async (_name, args, extra, purpose) => {
    const result = await runWithout(args, { ...extra, ...region });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.lines).toHaveLength(1);
    expect(result.lines[0]).toMatch(
      new RegExp(`^videosvc: no usable AWS credentials ${escape(purpose)} \\(CredentialsProviderError: [^)]+\\); set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY$`),
    );
    // The credential chain gave up at once rather than waiting on instance metadata.
    expect(result.ms).toBeLessThan(15_000);
  });
});
