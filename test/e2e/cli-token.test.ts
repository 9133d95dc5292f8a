// `videosvc token`: prints only a token, signed with the secret `serve` verifies with —
// including the development secret file both create or reuse next to the database.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Code, ConnectError } from '@connectrpc/connect';
import { decodeJwt, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  baseEnv,
  killServe,
  runCli,
  startServe,
  tempDir,
  testSecret,
  videoClient,
  type ServeProcess,
} from './cli-process.ts';

const jwtPattern = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

let dir: ReturnType<typeof tempDir>;
let serve: ServeProcess | undefined;
beforeEach(() => {
  dir = tempDir();
});
afterEach(async () => {
  await killServe(serve);
  serve = undefined;
  dir.remove();
});

async function mint(args: readonly string[], extra: Record<string, string> = {}): Promise<string> {
  const result = await runCli(['token', ...args], baseEnv(dir.path, extra), dir.path);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toMatch(/\n$/);
  const token = result.stdout.trimEnd();
  expect(token).toMatch(jwtPattern); // nothing on stdout but the token
  return token;
}

async function stopServe(running: ServeProcess): Promise<void> {
  running.child.kill('SIGTERM');
  expect((await running.exited).code).toBe(0);
}

describe('videosvc token', () => {
  it('an admin token for alice with --ttl 1h carries sub, scope and an exp one hour ahead', async () => {
    const before = Math.floor(Date.now() / 1000);
    const token = await mint(['alice', '--admin', '--ttl', '1h'], { JWT_SECRET: testSecret });
    const after = Math.floor(Date.now() / 1000);
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(testSecret), { algorithms: ['HS256'] });
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload.sub).toBe('alice');
    expect(payload.scope).toBe('videos:admin');
    expect(payload.exp).toBeGreaterThanOrEqual(before + 3600);
    expect(payload.exp).toBeLessThanOrEqual(after + 3600);
  });

  it('a plain token has no scope, and the ttl units are s, m, h and d', async () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = decodeJwt(await mint(['bob', '--ttl', '7d'], { JWT_SECRET: testSecret }));
    expect(payload.scope).toBeUndefined();
    expect(payload.exp! - now).toBeGreaterThanOrEqual(7 * 86_400 - 5);
    expect(payload.exp! - now).toBeLessThanOrEqual(7 * 86_400 + 5);
    const short = decodeJwt(await mint(['bob', '--ttl', '30s'], { JWT_SECRET: testSecret }));
    expect(short.exp! - short.iat!).toBe(30);
  });

  it('JWT_ISSUER and JWT_AUDIENCE become the iss and aud claims', async () => {
    const payload = decodeJwt(await mint(['carol'], { JWT_SECRET: testSecret, JWT_ISSUER: 'https://issuer.test', JWT_AUDIENCE: 'videosvc' }));
    expect(payload.iss).toBe('https://issuer.test');
    expect(payload.aud).toBe('videosvc');
  });

  it('a bad owner or ttl is a usage error (exit 2, one line, no token)', async () => {
    for (const args of [['not a name'], ['alice', '--ttl', '10'], ['alice', '--ttl', '0h'], [], ['alice', 'bob'], ['alice', '--frobnicate']]) {
      const result = await runCli(['token', ...args], baseEnv(dir.path, { JWT_SECRET: testSecret }), dir.path);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^videosvc token: .*videosvc token --help/);
    }
  });

  it('with no secret configured, token and serve share the development secret file, created 0600 and reused', async () => {
    const secretFile = join(dir.path, 'dev-jwt-secret');

    // The token command runs first: it creates the file and says so on stderr only.
    const first = await runCli(['token', 'alice', '--admin', '--ttl', '1h'], baseEnv(dir.path), dir.path);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.trimEnd()).toMatch(jwtPattern);
    expect(first.stderr).toContain(`created development token secret at ${secretFile}`);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    const secret = readFileSync(secretFile, 'utf8');
    const token = first.stdout.trimEnd();

    // serve reuses it, says so, and accepts the token — also for another owner (admin scope).
    // No pre-stop delay: it is restarted below and nothing balances load onto it.
    serve = await startServe(baseEnv(dir.path, { SHUTDOWN_DELAY_MS: '0' }), dir.path);
    expect(serve.logs.find((line) => line.msg === 'listening')?.tokenSecret).toBe(`using development token secret from ${secretFile}`);
    const client = videoClient(serve.url, token);
    const created = await client.createVideo({ video: { originalName: 'cat.mp4' } });
    expect(created.video?.ownerId).toBe('alice');
    const forBob = await client.createVideo({ video: { ownerId: 'bob', originalName: 'dog.mp4' } });
    expect(forBob.video?.ownerId).toBe('bob');

    // A token minted while serve runs works too, and a restart keeps both the file and the tokens valid.
    const userToken = await mint(['alice']);
    await stopServe(serve);
    serve = await startServe(baseEnv(dir.path), dir.path);
    const listed = await videoClient(serve.url, userToken).listVideos({});
    expect(listed.videos.map((video) => video.videoId)).toEqual([created.video?.videoId]);
    expect(readFileSync(secretFile, 'utf8')).toBe(secret);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
  });

  it('serve creates the development secret file itself when it starts first, and logs where it is (not what)', async () => {
    const secretFile = join(dir.path, 'dev-jwt-secret');
    serve = await startServe(baseEnv(dir.path), dir.path);
    const listening = serve.logs.find((line) => line.msg === 'listening');
    expect(listening?.tokenSecret).toBe(`created development token secret at ${secretFile}`);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    expect(JSON.stringify(serve.logs)).not.toContain(readFileSync(secretFile, 'utf8'));

    const token = await mint(['dave']);
    const created = await videoClient(serve.url, token).createVideo({ video: { originalName: 'x.mov' } });
    expect(created.video?.ownerId).toBe('dave');
  });

  it('a token signed with another secret is refused by serve', async () => {
    serve = await startServe(baseEnv(dir.path, { JWT_SECRET: testSecret }), dir.path);
    const foreign = await mint(['alice'], { JWT_SECRET: `${testSecret}-but-another-one` });
    const error = await videoClient(serve.url, foreign).listVideos({}).catch((caught: unknown) => caught);
    expect(ConnectError.from(error).code).toBe(Code.Unauthenticated);
  });
});
