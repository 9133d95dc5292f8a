// Operations over real sockets (SPEC §6): health Check/Watch, /healthz and /readyz over
// HTTP/1.1, one log line per call, and a graceful close.
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Code, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { v7 as uuidV7 } from 'uuid';
import { createVideoServiceClient } from '../../src/client.ts';
import { Health, HealthCheckResponse_ServingStatus as Status } from '../../src/gen/grpc/health/v1/health_pb.ts';
import { faultyStore, type FaultyStore } from '../support/faulty-store.ts';
import { failureOf } from '../support/rpc-clients.ts';
import { startTestService, type TestService } from '../support/rpc-service.ts';

/** GET over HTTP/1.1 (no keep-alive), resolving status and body. */
function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

async function eventually<T>(read: () => T | undefined): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const value = read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('condition not reached');
}

describe('health and probes', () => {
  let service: TestService;
  let faulty: FaultyStore;
  beforeAll(async () => {
    service = await startTestService({ wrapStore: (store) => (faulty = faultyStore(store)).store, healthWatchIntervalMs: 20 });
  });
  afterEach(() => {
    faulty.mode = 'normal';
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('GET /healthz is 200 ok and GET /readyz is 200 while the store answers, 503 when it does not', async () => {
    expect(await get(`${service.url}/healthz`)).toEqual({ status: 200, body: 'ok\n' });
    expect(await get(`${service.url}/readyz`)).toEqual({ status: 200, body: 'ready\n' });
    faulty.mode = 'unavailable';
    expect(await get(`${service.url}/readyz`)).toEqual({ status: 503, body: 'store unreachable\n' });
    expect((await get(`${service.url}/healthz`)).status).toBe(200);
    expect((await get(`${service.url}/nope`)).status).toBe(404);
  });

  it('Health.Check is SERVING for "" and video.v1.VideoService; with the store down only video.v1.VideoService is NOT_SERVING; NOT_FOUND otherwise', async () => {
    const health = createClient(Health, createGrpcTransport({ baseUrl: service.url }));
    expect((await health.check({ service: '' })).status).toBe(Status.SERVING);
    expect((await health.check({ service: 'video.v1.VideoService' })).status).toBe(Status.SERVING);
    expect((await failureOf(health.check({ service: 'other.Service' }))).code).toBe(Code.NotFound);
    faulty.mode = 'unavailable';
    // The whole server reflects the process (a liveness probe must not restart it for a
    // store outage); the service reflects readiness, as /readyz does.
    expect((await health.check({ service: 'video.v1.VideoService' })).status).toBe(Status.NOT_SERVING);
    expect((await health.check({ service: '' })).status).toBe(Status.SERVING);
    expect((await get(`${service.url}/readyz`)).status).toBe(503);
    const { statuses } = await health.list({});
    expect(Object.fromEntries(Object.entries(statuses).map(([name, answer]) => [name, answer.status]))).toEqual({
      '': Status.SERVING,
      'video.v1.VideoService': Status.NOT_SERVING,
    });
  });

  it('Health.Watch of "" stays SERVING through a store outage while the service\'s own Watch turns NOT_SERVING', async () => {
    const health = createClient(Health, createGrpcTransport({ baseUrl: service.url }));
    const abort = new AbortController();
    const server: Status[] = [];
    const videoService: Status[] = [];
    const watch = (name: string, into: Status[]) =>
      (async () => {
        for await (const update of health.watch({ service: name }, { signal: abort.signal })) into.push(update.status);
      })().catch(() => undefined);
    const watching = [watch('', server), watch('video.v1.VideoService', videoService)];
    while (server.length === 0 || videoService.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    faulty.mode = 'unavailable';
    while (videoService.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    // Several re-probe intervals (20 ms here) pass with the store down.
    await new Promise((resolve) => setTimeout(resolve, 200));
    abort.abort();
    await Promise.all(watching);
    expect(videoService).toEqual([Status.SERVING, Status.NOT_SERVING]);
    expect(server).toEqual([Status.SERVING]);
  });

  it('Health.Watch sends the current status, then each change', async () => {
    const health = createClient(Health, createGrpcTransport({ baseUrl: service.url }));
    const abort = new AbortController();
    const seen: Status[] = [];
    const watching = (async () => {
      for await (const update of health.watch({ service: 'video.v1.VideoService' }, { signal: abort.signal })) {
        seen.push(update.status);
        if (seen.length === 1) faulty.mode = 'unavailable';
        if (seen.length === 2) faulty.mode = 'normal';
        if (seen.length === 3) abort.abort();
      }
    })().catch(() => undefined);
    await watching;
    expect(seen).toEqual([Status.SERVING, Status.NOT_SERVING, Status.SERVING]);
  });
});

describe('the call log', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('writes one line per call with procedure, code, duration, caller and request id, echoing x-request-id', async () => {
    const token = await service.mint('logger-user');
    const client = createVideoServiceClient({ baseUrl: service.url, token, protocol: 'connect' });
    const before = service.logs.length;
    let echoed: string | null = null;
    await client.listVideos({}, { headers: { 'x-request-id': 'req-123' }, onHeader: (headers) => (echoed = headers.get('x-request-id')) });
    await failureOf(client.getVideo({ videoId: uuidV7() }));
    const lines = await eventually(() => (service.logs.length >= before + 2 ? service.logs.slice(before) : undefined));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ procedure: '/video.v1.VideoService/ListVideos', code: 'ok', caller: 'logger-user', requestId: 'req-123' });
    expect(lines[1]).toMatchObject({ procedure: '/video.v1.VideoService/GetVideo', code: 'not_found', caller: 'logger-user' });
    expect(lines[1]!.requestId).toMatch(/^[0-9a-f-]{36}$/);
    for (const line of lines) expect(typeof line.durationMs).toBe('number');
    expect(echoed).toBe('req-123');
    expect(service.rawLog.join('')).not.toContain(token.split('.')[2]!);
  });
});

describe('graceful close', () => {
  it('lets an in-flight call finish, refuses new ones as UNAVAILABLE, turns health NOT_SERVING and ends Watch streams', async () => {
    let faulty!: FaultyStore;
    const service = await startTestService({ wrapStore: (store) => (faulty = faultyStore(store)).store, healthWatchIntervalMs: 60_000 });
    const client = createVideoServiceClient({ baseUrl: service.url, token: await service.mint('closer') });
    const health = createClient(Health, createGrpcTransport({ baseUrl: service.url }));
    const watched: Status[] = [];
    const watch = (async () => {
      for await (const update of health.watch({ service: '' })) watched.push(update.status);
    })();
    await eventually(() => (watched.length === 1 ? true : undefined));

    faulty.mode = 'hang';
    const inFlight = client.createVideo({ video: { originalName: 'in-flight.mp4' } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = service.server.close({ graceMs: 5_000 });
    // A call after close began is refused with a retryable code, never accepted and lost.
    // (Give the client a moment to read the GOAWAY: a stream it opens in the same instant is
    // refused by its own HTTP/2 layer, which connect-node reports as INTERNAL.)
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await failureOf(client.listVideos({}))).code).toBe(Code.Unavailable);
    const raw = await fetch(`${service.url}/video.v1.VideoService/ListVideos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await service.mint('closer')}` },
      body: '{}',
    }).catch((error: Error) => error);
    expect(raw instanceof Error ? 'refused' : raw.status).toBe('refused');
    faulty.mode = 'normal';
    faulty.release();
    expect((await inFlight).video?.originalName).toBe('in-flight.mp4');
    await watch;
    expect(watched).toEqual([Status.SERVING, Status.NOT_SERVING]);
    await closed;
    expect((await failureOf(client.listVideos({}))).code).toBe(Code.Unavailable);
    await service.stop();
  });

  it('destroys calls still running when the grace period ends', async () => {
    let faulty!: FaultyStore;
    const service = await startTestService({ wrapStore: (store) => (faulty = faultyStore(store)).store });
    const client = createVideoServiceClient({ baseUrl: service.url, token: await service.mint('closer'), protocol: 'connect' });
    faulty.mode = 'hang';
    const stuck = failureOf(client.listVideos({}));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await service.server.close({ graceMs: 100 });
    expect([Code.Unavailable, Code.Unknown, Code.Canceled, Code.Aborted]).toContain((await stuck).code);
    faulty.release();
    await service.stop();
  });
});
