import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/app/config.ts';
import { createSecretsManagerClient } from '../../src/adapters/aws/clients.ts';
import { SecretsManagerSecretSource } from '../../src/adapters/aws/secrets-manager-secret.ts';
import { selectTokenSecretSource } from '../../src/adapters/secret/select.ts';
import { closedPort, fakeAwsClientOptions, startFakeAws, testCredentials, type FakeAws } from '../support/fake-aws.ts';

const secretId = 'videosvc/jwt';
const getSecretValue = 'secretsmanager.GetSecretValue';
const goodSecret = 'a-perfectly-good-token-secret-of-48-bytes-length';
const otherSecret = 'another-good-token-secret-used-before-rotation!!';
const text = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : new TextDecoder().decode(bytes));

let fake: FakeAws;
beforeAll(async () => {
  fake = await startFakeAws();
});
afterAll(() => fake.stop());
afterEach(() => {
  fake.requests.length = 0;
  fake.clearFailures();
  fake.deleteSecret(secretId);
});

const config = parseConfig({ AWS_REGION: 'us-east-1', JWT_SECRET_ID: secretId });

async function load(options = fakeAwsClientOptions(fake)) {
  const client = createSecretsManagerClient(config, options);
  try {
    return await new SecretsManagerSecretSource(client, secretId).load();
  } finally {
    client.destroy();
  }
}

/** The ConfigError `load()` fails with; also checks no secret value leaked into it. */
async function loadError(...secretValues: string[]): Promise<string> {
  const error = await load().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ConfigError);
  const message = (error as ConfigError).message;
  for (const value of secretValues) expect(message).not.toContain(value);
  expect(message).not.toContain('\n');
  return message;
}

describe('Secrets Manager token secret source', () => {
  it('reads AWSCURRENT and AWSPREVIOUS with signed GetSecretValue calls naming the secret and stage', async () => {
    fake.setSecret(secretId, { AWSCURRENT: goodSecret });

    const secrets = await load();

    expect(text(secrets.current)).toBe(goodSecret);
    expect(secrets.previous).toBeUndefined();
    const sent = fake.requestsFor(getSecretValue);
    expect(sent.map((request) => request.body).sort((a, b) => String(a.VersionStage).localeCompare(String(b.VersionStage)))).toEqual([
      { SecretId: secretId, VersionStage: 'AWSCURRENT' },
      { SecretId: secretId, VersionStage: 'AWSPREVIOUS' },
    ]);
    expect(sent.every((request) => request.signed)).toBe(true);
  });

  it('takes the JWT_SECRET key of a JSON secret, and AWSPREVIOUS while a rotation keeps one', async () => {
    fake.setSecret(secretId, {
      AWSCURRENT: JSON.stringify({ JWT_SECRET: goodSecret, other: 'x' }),
      AWSPREVIOUS: JSON.stringify({ JWT_SECRET: otherSecret }),
    });
    const secrets = await load();
    expect(text(secrets.current)).toBe(goodSecret);
    expect(text(secrets.previous)).toBe(otherSecret);
  });

  it('takes a plain secret byte for byte, even one that is also valid JSON (all digits)', async () => {
    const digits = '1234567890123456789012345678901234567890';
    fake.setSecret(secretId, { AWSCURRENT: digits });
    expect(text((await load()).current)).toBe(digits);
  });

  it('ignores an AWSPREVIOUS it could not use as a key, rather than blocking the rotation', async () => {
    fake.setSecret(secretId, { AWSCURRENT: goodSecret, AWSPREVIOUS: 'too-short' });
    const secrets = await load();
    expect(text(secrets.current)).toBe(goodSecret);
    expect(secrets.previous).toBeUndefined();
  });

  it('a missing secret names the id and the variable', async () => {
    expect(await loadError()).toBe('Secrets Manager secret videosvc/jwt not found (check JWT_SECRET_ID)');
  });

  it('denied access names the secret and the error', async () => {
    fake.fail(getSecretValue, { type: 'AccessDeniedException', message: 'not authorized' });
    expect(await loadError()).toBe('Secrets Manager denied access to secret videosvc/jwt: AccessDeniedException');
  });

  it('a JSON object without JWT_SECRET is refused without printing it', async () => {
    const value = JSON.stringify({ jwtSecret: goodSecret });
    fake.setSecret(secretId, { AWSCURRENT: value });
    expect(await loadError(value, goodSecret)).toBe('secret videosvc/jwt is not a string or JSON with key JWT_SECRET');
  });

  it('JSON whose JWT_SECRET is not a string, a JSON array, or broken JSON is refused', async () => {
    for (const value of [JSON.stringify({ JWT_SECRET: 12345 }), JSON.stringify([goodSecret]), `{"JWT_SECRET": "${goodSecret}"`]) {
      fake.setSecret(secretId, { AWSCURRENT: value });
      expect(await loadError(value, goodSecret)).toBe('secret videosvc/jwt is not a string or JSON with key JWT_SECRET');
    }
  });

  it('a binary-only secret is refused', async () => {
    fake.setSecret(secretId, { AWSCURRENT: { binary: new TextEncoder().encode(goodSecret) } });
    expect(await loadError(goodSecret)).toBe('secret videosvc/jwt is not a string or JSON with key JWT_SECRET');
  });

  it('a secret shorter than 32 bytes is refused with its length, never its value', async () => {
    const short = 'short-secret-value';
    fake.setSecret(secretId, { AWSCURRENT: JSON.stringify({ JWT_SECRET: short }) });
    expect(await loadError(short)).toBe('token secret videosvc/jwt is 18 bytes; at least 32 are required');
  });

  it('counts UTF-8 bytes, not characters', async () => {
    const accented = 'é'.repeat(16); // 16 characters, 32 bytes
    fake.setSecret(secretId, { AWSCURRENT: accented });
    expect((await load()).current).toHaveLength(32);
  });

  it('an endpoint that refuses connections names the endpoint and the cause', async () => {
    const port = await closedPort();
    const error = await load({ ...fakeAwsClientOptions(fake), endpoint: `http://127.0.0.1:${port}` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `cannot reach Secrets Manager at http://127.0.0.1:${port} to read secret videosvc/jwt: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });

  it('is what JWT_SECRET_ID selects, and finds the endpoint through AWS_ENDPOINT_URL_SECRETS_MANAGER', async () => {
    fake.setSecret(secretId, { AWSCURRENT: goodSecret });
    const saved = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = fake.endpoint;
    try {
      const selected = await selectTokenSecretSource(config, { clientOptions: { credentials: testCredentials, maxAttempts: 1 } });
      try {
        expect(selected.kind).toBe('secrets-manager');
        expect(selected.origin).toBe('token secret from Secrets Manager secret videosvc/jwt');
        expect(fake.requests).toHaveLength(0); // selecting does no I/O
        expect(text((await selected.source.load()).current)).toBe(goodSecret);
      } finally {
        selected.close();
      }
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
      else process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = saved;
    }
    expect(fake.requestsFor(getSecretValue)).toHaveLength(2);
  });
});
