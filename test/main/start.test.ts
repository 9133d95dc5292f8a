// The composition root: start() builds a real service on port 0 from a Config; stop()
// drains and closes it; a failed start leaves nothing listening or half-open.
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Code, ConnectError } from '@connectrpc/connect';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mintToken } from '../../src/adapters/token/mint.ts';
import { ConfigError, parseConfig } from '../../src/app/config.ts';
import { start, type RunningService } from '../../src/main/start.ts';
import { isListening, tempDir, testSecret, videoClient } from '../e2e/cli-process.ts';

const silent = pino({ level: 'silent' });
let dir: ReturnType<typeof tempDir>;
let service: RunningService | undefined;

beforeEach(() => {
  dir = tempDir();
});
afterEach(async () => {
  await service?.stop({ graceMs: 0 });
  service = undefined;
  dir.remove();
});

function config(extra: Record<string, string> = {}) {
  return parseConfig({ PORT: '0', SQLITE_PATH: join(dir.path, 'videos.sqlite'), JWT_SECRET: testSecret, ...extra });
}

describe('start()', () => {
  it('serves authenticated calls on the port it reports, and stop() closes it (twice is fine)', async () => {
    service = await start(config(), { logger: silent });
    expect(service.url).toBe(`http://127.0.0.1:${service.port}`);
    const token = await mintToken({ secret: new TextEncoder().encode(testSecret), subject: 'alice', ttlSeconds: 60 });
    const created = await videoClient(service.url, token).createVideo({ video: { originalName: 'a.mp4' } });
    expect(created.video?.ownerId).toBe('alice');

    await Promise.all([service.stop(), service.stop()]);
    expect(await isListening(service.port)).toBe(false);
    const error = await videoClient(service.url, token).listVideos({}).catch((caught: unknown) => caught);
    expect(ConnectError.from(error).code).toBe(Code.Unavailable);
    service = undefined;
  });

  it('a taken port is a ConfigError naming PORT, and the store opened before it is closed again', async () => {
    const blocker = createServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
    try {
      const failure = await start(config({ PORT: String(port) }), { logger: silent }).catch((caught: unknown) => caught);
      expect(failure).toBeInstanceOf(ConfigError);
      expect((failure as Error).message).toBe(`PORT ${port} is already in use on 127.0.0.1; set PORT to a free port`);
    } finally {
      blocker.close();
    }
    // The database was opened (and migrated) before listening failed; closing it checkpoints
    // the WAL, so no -wal file is left behind by a clean close.
    expect(existsSync(join(dir.path, 'videos.sqlite'))).toBe(true);
    expect(existsSync(join(dir.path, 'videos.sqlite-wal'))).toBe(false);
  });

  it('a token secret problem fails before any database is created', async () => {
    const failure = await start(config({ JWT_SECRET: 'short' }), { logger: silent }).catch((caught: unknown) => caught);
    expect(failure).toBeInstanceOf(ConfigError);
    expect(existsSync(join(dir.path, 'videos.sqlite'))).toBe(false);
  });
});
