// stop({ preStopDelayMs }): readiness turns off at once — /readyz 503, health NOT_SERVING,
// also to a Watch already open — while calls keep being served; only then does the drain start.
// Without the option (tests, embedders) stop() is immediate.
import { join } from 'node:path';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mintToken } from '../../src/adapters/token/mint.ts';
import { parseConfig } from '../../src/app/config.ts';
import { start, type RunningService } from '../../src/main/start.ts';
import { Health, HealthCheckResponse_ServingStatus as Status } from '../../src/gen/grpc/health/v1/health_pb.ts';
import { isListening, tempDir, testSecret, videoClient } from './cli-process.ts';

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

function config() {
  // SHUTDOWN_DELAY_MS is for `serve` on SIGTERM; stop() takes its delay only as an option.
  return parseConfig({ PORT: '0', SQLITE_PATH: join(dir.path, 'videos.sqlite'), JWT_SECRET: testSecret, SHUTDOWN_DELAY_MS: '60000' });
}

async function readyz(url: string): Promise<number> {
  const response = await fetch(`${url}/readyz`);
  await response.text();
  return response.status;
}

describe('RunningService.stop() and the pre-stop delay', () => {
  it('during the delay a Watch hears NOT_SERVING, /readyz is 503 and calls still succeed; then it closes', async () => {
    service = await start(config(), { logger: silent });
    const running = service;
    const token = await mintToken({ secret: new TextEncoder().encode(testSecret), subject: 'alice', ttlSeconds: 60 });
    const statuses: Array<{ status: Status; atMs: number }> = [];
    let stopAsked = 0;
    const watching = (async () => {
      for await (const answer of createClient(Health, createGrpcTransport({ baseUrl: running.url })).watch({ service: '' })) {
        statuses.push({ status: answer.status, atMs: stopAsked === 0 ? 0 : Date.now() - stopAsked });
      }
    })().catch(() => undefined);
    while (statuses.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(statuses[0]?.status).toBe(Status.SERVING);

    const delayMs = 2_500;
    stopAsked = Date.now();
    const stopped = running.stop({ preStopDelayMs: delayMs, graceMs: 1_000 });
    while (statuses.length < 2 && Date.now() - stopAsked < delayMs) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(statuses[1]?.status).toBe(Status.NOT_SERVING);
    expect(statuses[1]!.atMs).toBeLessThan(1_000);
    expect(await readyz(running.url)).toBe(503);
    const created = await videoClient(running.url, token).createVideo({ video: { originalName: 'late.mp4' } });
    expect(created.video?.originalName).toBe('late.mp4');
    expect(Date.now() - stopAsked).toBeLessThan(delayMs);

    await stopped;
    expect(Date.now() - stopAsked).toBeGreaterThanOrEqual(delayMs);
    await watching;
    expect(await isListening(running.port)).toBe(false);
    service = undefined;
  });

  it('the drain answers waiting ClaimVideo calls at once, OK with no video, while other calls are still served', async () => {
    service = await start(config(), { logger: silent });
    const running = service;
    const secret = new TextEncoder().encode(testSecret);
    const worker = videoClient(running.url, await mintToken({ secret, subject: 'transcoder', admin: true, ttlSeconds: 60 }));
    const waiting = Promise.all([1, 2].map((i) => worker.claimVideo({ workerId: `w-${i}`, waitDuration: { seconds: 20n } })));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stopAsked = Date.now();
    const stopped = running.stop({ preStopDelayMs: 1_500, graceMs: 1_000 });
    const answers = await waiting;
    expect(answers.map((answer) => answer.video)).toEqual([undefined, undefined]);
    expect(Date.now() - stopAsked).toBeLessThan(500);
    // Still serving during the delay; a ClaimVideo that would wait now answers at once.
    const immediate = Date.now();
    expect((await worker.claimVideo({ workerId: 'w-3', waitDuration: { seconds: 20n } })).video).toBeUndefined();
    expect(Date.now() - immediate).toBeLessThan(500);
    await stopped;
    service = undefined;
  });

  it('without the option stop() closes at once, whatever SHUTDOWN_DELAY_MS says', async () => {
    service = await start(config(), { logger: silent });
    const started = Date.now();
    await service.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await isListening(service.port)).toBe(false);
    service = undefined;
  });
});
