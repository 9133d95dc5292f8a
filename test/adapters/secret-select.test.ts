import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/app/config.ts';
import { selectTokenSecretSource } from '../../src/adapters/secret/select.ts';
import { staticTokenSecretSource } from '../../src/adapters/secret/static-secret.ts';

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'videosvc-select-'));
});
afterEach(() => rm(directory, { recursive: true, force: true }));

async function configErrorMessage(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as Error).message;
}

describe('token secret selection', () => {
  it('JWT_SECRET is used as given, with no previous secret', async () => {
    const secret = 'a-local-token-secret-that-is-long-enough!';
    const selected = await selectTokenSecretSource(parseConfig({ JWT_SECRET: secret }));
    expect(selected.kind).toBe('static');
    expect(selected.origin).toBe('token secret from JWT_SECRET');
    expect(await selected.source.load()).toEqual({ current: new TextEncoder().encode(secret) });
    selected.close();
  });

  it('a JWT_SECRET shorter than 32 bytes is refused by name, never echoed', async () => {
    const message = await configErrorMessage(selectTokenSecretSource(parseConfig({ JWT_SECRET: 'hunter2-hunter2' })));
    expect(message).toBe('JWT_SECRET is 15 bytes; at least 32 are required');
    expect(() => staticTokenSecretSource('x'.repeat(31))).toThrow('JWT_SECRET is 31 bytes; at least 32 are required');
  });

  it('in production, no secret configured stops start-up', async () => {
    const config = parseConfig({ NODE_ENV: 'production', SQLITE_PATH: join(directory, 'videos.sqlite') });
    expect(await configErrorMessage(selectTokenSecretSource(config))).toBe(
      'no token secret: set JWT_SECRET_ID (or JWT_SECRET)',
    );
  });

  it('outside production, a development secret is created next to the database, then reused', async () => {
    const config = parseConfig({ SQLITE_PATH: join(directory, 'videos.sqlite') });
    const path = join(directory, 'dev-jwt-secret');

    const first = await selectTokenSecretSource(config);
    expect(first.kind).toBe('dev-file');
    expect(first.origin).toBe(`created development token secret at ${path}`);
    expect(first.created).toBe(true);
    const second = await selectTokenSecretSource(config);
    expect(second.origin).toBe(`using development token secret from ${path}`);
    expect(second.created).toBe(false);
    expect((await second.source.load()).current).toEqual((await first.source.load()).current);
  });
});
