// Issue 6: the token secret rotated in Secrets Manager under a running service (the real
// composition root, start(), with JWT_SECRET_ID; the SDK talks to the fake AWS server).
// Old tokens keep working while AWSPREVIOUS holds the old secret, new tokens work without
// a restart, `videosvc token` signs with AWSCURRENT, and once the old secret is gone from
// AWSPREVIOUS its tokens are UNAUTHENTICATED.
import { Code, ConnectError } from '@connectrpc/connect';
import { jwtVerify } from 'jose';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { mintToken } from '../../src/adapters/token/mint.ts';
import { parseConfig } from '../../src/app/config.ts';
import { start, type RunningService, type StartOptions } from '../../src/main/start.ts';
import { startFakeAws, type FakeAws } from '../support/fake-aws.ts';
import { baseEnv, runCli, tempDir, videoClient } from './cli-process.ts';
import { fakeAwsEnv, stubProcessEnv } from './service-env.ts';

const oldSecret = 'rotation-old-secret-0123456789abcdefghijkl';
const newSecret = 'rotation-new-secret-0123456789abcdefghijkl';
const strangerSecret = 'rotation-stranger-secret-0123456789abcdefg';

let fake: FakeAws;
let service: RunningService | undefined;

beforeAll(async () => {
  fake = await startFakeAws();
  stubProcessEnv(fakeAwsEnv(fake.endpoint));
});
afterEach(async () => {
  await service?.stop({ graceMs: 0 });
  service = undefined;
});
afterAll(async () => {
  await fake?.stop();
  vi.unstubAllEnvs();
});

function startWithSecret(secretId: string, tokenSecretRing: StartOptions['tokenSecretRing']): Promise<RunningService> {
  const config = parseConfig({ PORT: '0', SQLITE_PATH: ':memory:', JWT_SECRET_ID: secretId, AWS_REGION: 'us-east-1' });
  return start(config, { logger: pino({ level: 'silent' }), tokenSecretRing });
}

function tokenFor(secret: string, subject = 'alice'): Promise<string> {
  return mintToken({ secret: new TextEncoder().encode(secret), subject, ttlSeconds: 600 });
}

/** 'ok' when an authenticated ListVideos succeeds with `token`, else the failure's code. */
async function listWith(token: string): Promise<'ok' | Code> {
  try {
    await videoClient(service!.url, token).listVideos({});
    return 'ok';
  } catch (error) {
    return ConnectError.from(error).code;
  }
}

/**
 * Repeats `read` (every 50 ms, for about 5 s at most) until it gives `expected`; returns
 * the last value. The bound stays below the ring's default 10 s gap, so an option that
 * was not passed through cannot pass by the on-failure re-read.
 */
async function until<T>(expected: T, read: () => Promise<T>): Promise<T> {
  let value = await read();
  for (let attempt = 0; value !== expected && attempt < 100; attempt++) {
    await new Promise((wait) => setTimeout(wait, 50));
    value = await read();
  }
  return value;
}

describe('token secret rotation through the running service', () => {
  it('a signature failure re-reads the secret: new tokens work at once, old ones until AWSPREVIOUS drops them', async () => {
    const secretId = 'videosvc/jwt-on-failure';
    fake.setSecret(secretId, { AWSCURRENT: oldSecret });
    // Periodic refresh off and no rate-limit gap: every re-read here is caused by a call.
    service = await startWithSecret(secretId, { refreshIntervalMs: 0, minRefreshGapMs: 0 });
    const oldToken = await tokenFor(oldSecret);
    const newToken = await tokenFor(newSecret);
    expect(await listWith(oldToken)).toBe('ok');
    expect(await listWith(newToken)).toBe(Code.Unauthenticated);

    // Rotation: the new secret (as JSON this time) becomes AWSCURRENT, the old one AWSPREVIOUS.
    fake.rotateSecret(secretId, JSON.stringify({ JWT_SECRET: newSecret }));
    const readsBefore = fake.requestsFor('secretsmanager.GetSecretValue').length;
    expect(await listWith(newToken)).toBe('ok');
    const reread = fake.requestsFor('secretsmanager.GetSecretValue').slice(readsBefore).map((request) => request.body);
    expect(reread).toEqual(
      expect.arrayContaining([
        { SecretId: secretId, VersionStage: 'AWSCURRENT' },
        { SecretId: secretId, VersionStage: 'AWSPREVIOUS' },
      ]),
    );
    expect(await listWith(oldToken)).toBe('ok');

    // The rotation finishes: the old secret leaves AWSPREVIOUS. The service notices at its
    // next re-read, here caused by a token signed with a secret it never had.
    fake.setSecret(secretId, { AWSCURRENT: JSON.stringify({ JWT_SECRET: newSecret }) });
    expect(await listWith(await tokenFor(strangerSecret))).toBe(Code.Unauthenticated);
    expect(await listWith(oldToken)).toBe(Code.Unauthenticated);
    expect(await listWith(newToken)).toBe('ok');
  });

  it('the periodic refresh alone picks up a rotation and the end of it, with no failed call needed', async () => {
    const secretId = 'videosvc/jwt-periodic';
    fake.setSecret(secretId, { AWSCURRENT: oldSecret });
    // On-demand re-reads effectively off (the gap outlasts the test); only the timer reads.
    service = await startWithSecret(secretId, { refreshIntervalMs: 100, minRefreshGapMs: 10 * 60_000 });
    const oldToken = await tokenFor(oldSecret);
    const newToken = await tokenFor(newSecret);
    expect(await listWith(oldToken)).toBe('ok');

    fake.rotateSecret(secretId, newSecret);
    expect(await until('ok', () => listWith(newToken))).toBe('ok');
    expect(await listWith(oldToken)).toBe('ok');

    fake.setSecret(secretId, { AWSCURRENT: newSecret });
    expect(await until<'ok' | Code>(Code.Unauthenticated, () => listWith(oldToken))).toBe(Code.Unauthenticated);
    expect(await listWith(newToken)).toBe('ok');
  });

  it('videosvc token signs with AWSCURRENT during a rotation, and the running service accepts it', async () => {
    const secretId = 'videosvc/jwt-cli';
    fake.setSecret(secretId, { AWSCURRENT: oldSecret });
    service = await startWithSecret(secretId, { refreshIntervalMs: 0, minRefreshGapMs: 0 });
    fake.rotateSecret(secretId, JSON.stringify({ JWT_SECRET: newSecret }));

    const dir = tempDir();
    try {
      const result = await runCli(['token', 'carol'], baseEnv(dir.path, { ...fakeAwsEnv(fake.endpoint), JWT_SECRET_ID: secretId }), dir.path);
      expect(result.code, result.stderr).toBe(0);
      for (const secret of [oldSecret, newSecret]) expect(result.stdout + result.stderr).not.toContain(secret);
      const token = result.stdout.trim();
      const { payload } = await jwtVerify(token, new TextEncoder().encode(newSecret), { algorithms: ['HS256'] });
      expect(payload.sub).toBe('carol');
      await expect(jwtVerify(token, new TextEncoder().encode(oldSecret))).rejects.toThrow(/signature verification failed/);
      expect(await listWith(token)).toBe('ok');
    } finally {
      dir.remove();
    }
  });
});
