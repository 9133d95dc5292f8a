import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/app/config.ts';
import { devSecretPath, openDevSecretFile } from '../../src/adapters/secret/dev-secret-file.ts';

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'videosvc-dev-secret-'));
});
afterEach(() => rm(directory, { recursive: true, force: true }));

describe('development token secret file', () => {
  it('lives in the database directory, or ./data for an in-memory database', () => {
    expect(devSecretPath('./data/videos.sqlite')).toBe(join('data', 'dev-jwt-secret'));
    expect(devSecretPath('/var/lib/videosvc/videos.sqlite')).toBe('/var/lib/videosvc/dev-jwt-secret');
    expect(devSecretPath(':memory:')).toBe(join('data', 'dev-jwt-secret'));
  });

  it('is created with mode 0600 (and its directory if needed), then reused on later starts', async () => {
    const path = join(directory, 'nested', 'dev-jwt-secret');
    const first = await openDevSecretFile(path);
    expect(first.created).toBe(true);
    expect(first.path).toBe(path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const secret = (await first.source.load()).current;
    expect(secret.length).toBeGreaterThanOrEqual(32);

    const second = await openDevSecretFile(path);
    expect(second.created).toBe(false);
    expect((await second.source.load()).current).toEqual(secret);
    expect(await readdir(join(directory, 'nested'))).toEqual(['dev-jwt-secret']); // no temporary files left
  });

  it('processes starting at once agree on one secret, and exactly one reports creating it', async () => {
    const path = join(directory, 'dev-jwt-secret');
    const opened = await Promise.all(Array.from({ length: 16 }, () => openDevSecretFile(path)));
    const secrets = await Promise.all(opened.map(async (dev) => Buffer.from((await dev.source.load()).current).toString()));
    expect(new Set(secrets).size).toBe(1);
    expect(opened.filter((dev) => dev.created)).toHaveLength(1);
    expect(await readdir(directory)).toEqual(['dev-jwt-secret']);
  });

  it('a file holding too short a secret is refused, naming the file, not the value', async () => {
    const path = join(directory, 'dev-jwt-secret');
    await writeFile(path, 'tiny-secret\n', { mode: 0o600 });
    const error = await openDevSecretFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(`development token secret file ${path} is 11 bytes; at least 32 are required`);
  });
});
