// CORS_ORIGINS reaches the server through start(): the composition root passes the parsed
// origins on, so a preflight from a listed origin is answered and any other is not.
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { parseConfig } from '../../src/app/config.ts';
import { start, type RunningService } from '../../src/main/start.ts';
import { tempDir, testSecret } from '../e2e/cli-process.ts';

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

function preflightFrom(url: string, origin: string): Promise<Response> {
  return fetch(`${url}/video.v1.VideoService/GetVideo`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
  });
}

it('start() serves CORS for the origins in CORS_ORIGINS, and only those', async () => {
  const config = parseConfig({
    PORT: '0',
    SQLITE_PATH: join(dir.path, 'videos.sqlite'),
    JWT_SECRET: testSecret,
    CORS_ORIGINS: 'https://one.example, https://two.example:8443',
  });
  service = await start(config, { logger: pino({ level: 'silent' }) });
  for (const origin of ['https://one.example', 'https://two.example:8443']) {
    const answer = await preflightFrom(service.url, origin);
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe(origin);
  }
  const refused = await preflightFrom(service.url, 'https://three.example');
  expect(refused.status).toBe(405);
  expect(refused.headers.get('access-control-allow-origin')).toBeNull();
});
