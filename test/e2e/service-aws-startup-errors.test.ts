// Issue 6's start-up matrix through the real executable: each AWS misconfiguration
// (a parameter or secret missing, a secret in a shape we cannot use or too short, SSM or
// Secrets Manager unreachable or denying access) stops `videosvc serve` with a non-zero
// exit and exactly one stderr line naming what to fix; no secret value is printed and
// the port is never listened on. The SDK talks to the fake AWS server on loopback.
// (Unknown VIDEO_STORE and a short JWT_SECRET are in cli-startup-errors.test.ts.)
import { describe, expect, it } from 'vitest';
import { closedPort, startFakeAws, type FakeAws } from '../support/fake-aws.ts';
import { baseEnv, serveFailing, tempDir, testSecret, type CliResult, type Env } from './cli-process.ts';
import { fakeAwsEnv } from './service-env.ts';

const prefix = '/n11817143/app';
/** A usable secret (≥ 32 bytes): the cases below must fail for their own reason, not this. */
const goodSecret = 'aws-startup-secret-0123456789abcdefghijklmnop';

interface Failed extends CliResult {
  readonly listened: boolean;
}

async function serveFailingWith(env: Env): Promise<Failed> {
  const dir = tempDir();
  try {
    return await serveFailing(baseEnv(dir.path, env), dir.path);
  } finally {
    dir.remove();
  }
}

/** Exit non-zero, one stderr line matching `line`, never listening, and none of `secrets` anywhere. */
function expectRefusal(result: Failed, line: RegExp, secrets: readonly string[] = []): void {
  expect(result.code, result.stderr).not.toBe(0);
  expect(result.code).not.toBeNull();
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^videosvc: /);
  expect(lines[0]).toMatch(line);
  expect(result.stdout).not.toContain('"listening"');
  expect(result.listened).toBe(false);
  for (const secret of [testSecret, goodSecret, ...secrets]) {
    expect(result.stderr).not.toContain(secret);
    expect(result.stdout).not.toContain(secret);
  }
}

/** Runs `test` with a fresh fake AWS server, stopped afterwards (each case owns its own). */
function withFake(test: (fake: FakeAws) => Promise<void>): () => Promise<void> {
  return async () => {
    const fake = await startFakeAws();
    try {
      await test(fake);
    } finally {
      await fake.stop();
    }
  };
}

/** serve over DynamoDB with names from SSM; the table is never reached when SSM fails first. */
async function ssmEnv(fake: Pick<FakeAws, 'endpoint'>): Promise<Env> {
  return {
    ...fakeAwsEnv(fake.endpoint),
    VIDEO_STORE: 'dynamodb',
    SSM_PARAMETER_PREFIX: prefix,
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${await closedPort()}`,
    JWT_SECRET: testSecret,
  };
}

function secretEnv(fake: Pick<FakeAws, 'endpoint'>, secretId: string): Env {
  return { ...fakeAwsEnv(fake.endpoint), JWT_SECRET_ID: secretId };
}

// Each case spawns a cold CLI; several at once on a small machine take a while.
describe.concurrent('videosvc serve refuses to start when SSM or Secrets Manager is misconfigured', { timeout: 60_000 }, () => {
  it('a missing SSM parameter is named, with the variable that would override it', withFake(async (fake) => {
    fake.setParameter(`${prefix}/dynamoTable`, 'videos-prod');
    const result = await serveFailingWith(await ssmEnv(fake));
    expectRefusal(result, /^videosvc: SSM parameter \/n11817143\/app\/dynamoOwnerIndex not found \(set DYNAMO_OWNER_INDEX or create the parameter\)$/);
    expect(fake.requestsFor('AmazonSSM.GetParameters').map((request) => request.body)).toEqual([
      { Names: [`${prefix}/dynamoTable`, `${prefix}/dynamoOwnerIndex`, `${prefix}/dynamoStatusIndex`, `${prefix}/dynamoWorkIndex`], WithDecryption: true },
    ]);
  }));

  it('SSM denying access names the parameters and the cause', withFake(async (fake) => {
    fake.fail('AmazonSSM.GetParameters', { type: 'AccessDeniedException', message: 'not allowed' });
    const result = await serveFailingWith(await ssmEnv(fake));
    expectRefusal(result, /^videosvc: SSM denied access to parameter \/n11817143\/app\/dynamoTable and \/n11817143\/app\/dynamoOwnerIndex: AccessDeniedException$/);
  }));

  it('an unreachable SSM endpoint is named with the connection error', async () => {
    const port = await closedPort();
    const result = await serveFailingWith(await ssmEnv({ endpoint: `http://127.0.0.1:${port}` }));
    expectRefusal(result, new RegExp(`^videosvc: cannot reach SSM at http://127\\.0\\.0\\.1:${port}/? to read parameter ${prefix}/dynamoTable and ${prefix}/dynamoOwnerIndex: .*ECONNREFUSED`));
  });

  it('a missing secret is named, with JWT_SECRET_ID to check', withFake(async (fake) => {
    const result = await serveFailingWith(secretEnv(fake, 'videosvc/absent'));
    expectRefusal(result, /^videosvc: Secrets Manager secret videosvc\/absent not found \(check JWT_SECRET_ID\)$/);
    expect(fake.requestsFor('secretsmanager.GetSecretValue').map((request) => request.body)).toContainEqual({
      SecretId: 'videosvc/absent',
      VersionStage: 'AWSCURRENT',
    });
  }));

  it('a secret holding only SecretBinary is refused as neither a string nor JSON with JWT_SECRET', withFake(async (fake) => {
    const binary = Buffer.from(goodSecret.replace('aws', 'bin'));
    fake.setSecret('videosvc/binary', { AWSCURRENT: { binary } });
    const result = await serveFailingWith(secretEnv(fake, 'videosvc/binary'));
    expectRefusal(result, /^videosvc: secret videosvc\/binary is not a string or JSON with key JWT_SECRET$/, [
      binary.toString('utf8'),
      binary.toString('base64'),
    ]);
  }));

  it('a JSON secret without the JWT_SECRET key is refused the same way, without echoing it', withFake(async (fake) => {
    const value = goodSecret.replace('aws', 'json');
    fake.setSecret('videosvc/json', { AWSCURRENT: JSON.stringify({ jwtSecret: value }) });
    const result = await serveFailingWith(secretEnv(fake, 'videosvc/json'));
    expectRefusal(result, /^videosvc: secret videosvc\/json is not a string or JSON with key JWT_SECRET$/, [value]);
  }));

  it('a secret shorter than 32 bytes is refused with its length, not its value', withFake(async (fake) => {
    fake.setSecret('videosvc/short', { AWSCURRENT: JSON.stringify({ JWT_SECRET: 'only-twenty-bytes!!!' }) });
    const result = await serveFailingWith(secretEnv(fake, 'videosvc/short'));
    expectRefusal(result, /^videosvc: token secret videosvc\/short is 20 bytes; at least 32 are required$/, ['only-twenty-bytes!!!']);
  }));

  it('an unreachable Secrets Manager endpoint is named with the connection error', async () => {
    const port = await closedPort();
    const result = await serveFailingWith(secretEnv({ endpoint: `http://127.0.0.1:${port}` }, 'videosvc/jwt'));
    expectRefusal(result, new RegExp(`^videosvc: cannot reach Secrets Manager at http://127\\.0\\.0\\.1:${port}/? to read secret videosvc/jwt: .*ECONNREFUSED`));
  });
});
