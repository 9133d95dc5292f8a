// SPEC §6: SIGTERM during a burst of writes drains in-flight calls and exits 0; every call
// either succeeds or fails with a retryable code, and nothing acknowledged is lost.
import { randomUUID } from 'node:crypto';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mintToken } from '../../src/adapters/token/mint.ts';
import { isRefusedStream } from '../../src/client.ts';
import { Health, HealthCheckResponse_ServingStatus as Status } from '../../src/gen/grpc/health/v1/health_pb.ts';
import {
  baseEnv,
  killServe,
  startServe,
  tempDir,
  testSecret,
  videoClient,
  type ServeProcess,
} from './cli-process.ts';

// Codes a careful client retries: the service went away (Unavailable), or the connection
// closed before the request was sent (Canceled).
const retryable = new Set([Code.Unavailable, Code.Canceled]);

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

function token(): Promise<string> {
  return mintToken({ secret: new TextEncoder().encode(testSecret), subject: 'alice', ttlSeconds: 600 });
}

async function storedIds(ids: readonly string[]): Promise<Set<string>> {
  const client = videoClient(serve!.url, await token());
  const found = new Set<string>();
  for (let start = 0; start < ids.length; start += 100) {
    const batch = await client.batchGetVideos({ videoIds: ids.slice(start, start + 100) });
    for (const video of batch.videos) found.add(video.videoId);
  }
  return found;
}

describe('videosvc serve on SIGTERM', () => {
  it('drains a burst of creates: each one succeeds or fails retryably, every acknowledged one survives, exit 0', async () => {
    // No pre-stop delay here: this test is about the drain itself, and the calls after the
    // signal must meet a service that is already refusing them.
    const env = baseEnv(dir.path, { JWT_SECRET: testSecret, SHUTDOWN_DELAY_MS: '0' });
    serve = await startServe(env, dir.path);
    const client = videoClient(serve.url, await token());

    const ids = Array.from({ length: 200 }, () => randomUUID());
    const acknowledged: string[] = [];
    const failures: Array<{ id: string; code: Code; message: string }> = [];
    const refused: string[] = [];
    let signal: (() => void) | undefined;
    const signalled = new Promise<void>((resolveSignal) => (signal = resolveSignal));
    const create = async (id: string, index: number) => {
      try {
        const response = await client.createVideo({ videoId: id, video: { originalName: `clip-${index}.mp4` } });
        expect(response.video?.videoId).toBe(id);
        acknowledged.push(id);
        if (acknowledged.length === 40) {
          serve!.child.kill('SIGTERM');
          signal?.();
        }
      } catch (error) {
        const connectError = ConnectError.from(error);
        // The client reports a refused stream as Unavailable; such a call never reached a
        // handler, which is checked after the restart below.
        if (isRefusedStream(connectError)) {
          expect(connectError.code).toBe(Code.Unavailable);
          refused.push(id);
        }
        else failures.push({ id, code: connectError.code, message: connectError.rawMessage });
      }
    };
    // A burst of 100 at once; SIGTERM goes out when the 40th is acknowledged, with the
    // rest in flight. Then the other 100 start one by one while the service stops, and
    // after it has gone.
    const burst = ids.slice(0, 100).map((id, index) => create(id, index));
    await signalled;
    const late: Array<Promise<void>> = [];
    for (const [offset, id] of ids.slice(100).entries()) {
      late.push(create(id, 100 + offset));
      await new Promise((wait) => setTimeout(wait, 5));
    }
    await Promise.all([...burst, ...late]);
    const exit = await serve.exited;

    expect(exit).toEqual({ code: 0, signal: null });
    expect(acknowledged.length + refused.length + failures.length).toBe(ids.length);
    for (const failure of failures) {
      expect(retryable.has(failure.code), `${failure.id}: ${Code[failure.code]} ${failure.message}`).toBe(true);
    }
    expect(serve.logs.some((line) => line.msg === 'stopped')).toBe(true);

    serve = await startServe(env, dir.path);
    const stored = await storedIds(ids);
    const lost = acknowledged.filter((id) => !stored.has(id));
    expect(lost).toEqual([]);
    // A refused stream never reached a handler, so retrying it cannot create a duplicate.
    expect(refused.filter((id) => stored.has(id))).toEqual([]);
    expect(acknowledged.length).toBeGreaterThanOrEqual(40);
    // The calls after the signal really met a stopping (or stopped) service.
    expect(failures.length + refused.length).toBeGreaterThan(0);
  });

  it('SIGINT stops an idle service with exit 0', async () => {
    serve = await startServe(baseEnv(dir.path, { JWT_SECRET: testSecret }), dir.path);
    serve.child.kill('SIGINT');
    expect(await serve.exited).toEqual({ code: 0, signal: null });
  });
});

async function readyz(url: string): Promise<number> {
  const response = await fetch(`${url}/readyz`);
  await response.text();
  return response.status;
}

function healthStatus(url: string): Promise<Status> {
  return createClient(Health, createGrpcTransport({ baseUrl: url }))
    .check({ service: '' })
    .then((response) => response.status);
}

function exitedWithin(ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'still running'> {
  return Promise.race([serve!.exited, new Promise<'still running'>((done) => setTimeout(() => done('still running'), ms))]);
}

describe('videosvc serve pre-stop delay (SHUTDOWN_DELAY_MS)', () => {
  it('on SIGTERM, /readyz is 503 and health NOT_SERVING for the delay while new connections and calls are still served; then exit 0', async () => {
    const delayMs = 2_500;
    serve = await startServe(baseEnv(dir.path, { JWT_SECRET: testSecret, SHUTDOWN_DELAY_MS: String(delayMs) }), dir.path);
    expect(await readyz(serve.url)).toBe(200);
    expect(await healthStatus(serve.url)).toBe(Status.SERVING);

    const signalledAt = Date.now();
    serve.child.kill('SIGTERM');
    // The signal is handled within a moment; poll until readiness has turned.
    let readyStatus = 200;
    while (readyStatus === 200 && Date.now() - signalledAt < delayMs / 2) {
      await new Promise((wait) => setTimeout(wait, 20));
      readyStatus = await readyz(serve.url);
    }
    expect(readyStatus).toBe(503);
    expect(await healthStatus(serve.url)).toBe(Status.NOT_SERVING);
    // A client that has not heard yet still gets served, on a new connection too (each
    // helper call above and below opens its own).
    const created = await videoClient(serve.url, await token()).createVideo({ video: { originalName: 'during-delay.mp4' } });
    expect(created.video?.originalName).toBe('during-delay.mp4');
    const duringDelayMs = Date.now() - signalledAt;
    expect(duringDelayMs).toBeLessThan(delayMs);

    const exit = await serve.exited;
    const exitedAfterMs = Date.now() - signalledAt;
    console.log(`pre-stop delay ${delayMs} ms: readyz 503 and a call served at ${duringDelayMs} ms, exit ${exit.code} at ${exitedAfterMs} ms`);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(exitedAfterMs).toBeGreaterThanOrEqual(delayMs);
    expect(serve.logs.find((line) => line.msg === 'not ready: still serving during the pre-stop delay')).toMatchObject({ delayMs });
    expect(serve.logs.some((line) => line.msg === 'stopped')).toBe(true);
  });

  it('SIGINT skips the pre-stop delay: exit 0 at once even with SHUTDOWN_DELAY_MS=60000', async () => {
    serve = await startServe(baseEnv(dir.path, { JWT_SECRET: testSecret, SHUTDOWN_DELAY_MS: '60000' }), dir.path);
    serve.child.kill('SIGINT');
    expect(await exitedWithin(10_000)).toEqual({ code: 0, signal: null });
  });

  it('a second signal during the pre-stop delay exits 1 at once', async () => {
    serve = await startServe(baseEnv(dir.path, { JWT_SECRET: testSecret, SHUTDOWN_DELAY_MS: '60000' }), dir.path);
    serve.child.kill('SIGTERM');
    while (!serve.logs.some((line) => line.msg === 'not ready: still serving during the pre-stop delay')) {
      await new Promise((wait) => setTimeout(wait, 20));
    }
    expect(await readyz(serve.url)).toBe(503);
    serve.child.kill('SIGTERM');
    expect(await exitedWithin(10_000)).toEqual({ code: 1, signal: null });
  });
});
