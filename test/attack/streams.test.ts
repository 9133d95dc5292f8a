// Unfinished streams cost memory on the server until something ends them. A raw client that
// ignores SETTINGS (so never learns the stream cap) opens stream after stream over many
// sessions, never sending a body, half of them with a valid token: the service must refuse
// what is past its caps, keep its memory bounded and keep answering normal calls. The
// streams anyone may open without a token are capped in number and lifetime, and calls past
// the in-flight cap are refused in every protocol's own words.
import type net from 'node:net';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVideoServiceClient } from '../../src/client.ts';
import { Health, HealthCheckResponse_ServingStatus as Status } from '../../src/gen/grpc/health/v1/health_pb.ts';
import { ServerReflection } from '../../src/gen/grpc/reflection/v1/reflection_pb.ts';
import { clientPreface, errorCode, frameType, grpcRequestHeaders, headersFrame, rawConnect, readFrames, settingsFrame } from '../support/h2-frames.ts';
import { spawnService, type SpawnedService } from '../support/spawned-service.ts';

const heavy = process.env.VIDEOSVC_ATTACK_HEAVY === '1';
const attempts = heavy ? 100_000 : 20_000;
const sessionCount = 50;
const perSession = attempts / sessionCount;
const maxStreamsPerConnection = 100;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface AttackSession {
  readonly socket: net.Socket;
  /** RST_STREAM frames received, by error code. */
  readonly resets: Map<number, number>;
  goaways: number;
  closed: boolean;
  /** SETTINGS_MAX_CONCURRENT_STREAMS as the server announced it (which this client then ignores). */
  announcedMaxStreams?: number;
}

/** Opens a session that never acknowledges SETTINGS and opens `count` streams without ending any. */
async function openUnfinishedStreams(port: number, count: number, token: string | undefined): Promise<AttackSession> {
  const socket = await rawConnect(port);
  const session: AttackSession = { socket, resets: new Map(), goaways: 0, closed: false };
  socket.once('close', () => (session.closed = true));
  readFrames(socket, (received) => {
    if (received.type === frameType.rstStream) {
      const code = received.payload.readUInt32BE(0);
      session.resets.set(code, (session.resets.get(code) ?? 0) + 1);
    }
    if (received.type === frameType.goaway) session.goaways += 1;
    if (received.type === frameType.settings) {
      for (let offset = 0; offset + 6 <= received.payload.length; offset += 6) {
        if (received.payload.readUInt16BE(offset) === 0x3) session.announcedMaxStreams = received.payload.readUInt32BE(offset + 2);
      }
    }
  });
  const block = grpcRequestHeaders('/video.v1.VideoService/GetVideo', token);
  const frames = [clientPreface, settingsFrame()];
  for (let index = 0; index < count; index += 1) frames.push(headersFrame(2 * index + 1, block, false));
  socket.write(Buffer.concat(frames));
  return session;
}

describe(`${attempts} unfinished stream attempts over ${sessionCount} sessions`, () => {
  let service: SpawnedService;
  beforeAll(async () => {
    service = await spawnService();
  });
  afterAll(async () => {
    await service?.stop();
  });

  it(`keep RSS growth under 300 MB and normal calls answering (${attempts} attempts, with and without a token)`, async () => {
    const token = await service.mint('alice');
    const clients = [
      createVideoServiceClient({ baseUrl: service.url, token, protocol: 'grpc' }),
      createVideoServiceClient({ baseUrl: service.url, token, protocol: 'connect' }),
    ];
    for (const client of clients) expect((await client.listVideos({})).videos).toEqual([]);
    const rssBefore = service.rssMb();

    const sessions = await Promise.all(
      Array.from({ length: sessionCount }, (_, index) => openUnfinishedStreams(service.port, perSession, index % 2 === 0 ? token : undefined)),
    );
    let rssPeak = service.rssMb();
    const latenciesMs: number[] = [];
    const failures: string[] = [];
    // Normal calls while the streams are held (the body timeout, 10 s by default, has not run out).
    for (let round = 0; round < 20; round += 1) {
      for (const client of clients) {
        const started = performance.now();
        try {
          expect((await client.listVideos({})).videos).toEqual([]);
          latenciesMs.push(performance.now() - started);
        } catch (error) {
          failures.push(String(error));
        }
      }
      rssPeak = Math.max(rssPeak, service.rssMb());
      await pause(100);
    }
    latenciesMs.sort((a, b) => a - b);
    const median = latenciesMs[Math.floor(latenciesMs.length / 2)] ?? Number.NaN;
    const refusedPerSession = sessions.map((session) => session.resets.get(errorCode.refusedStream) ?? 0);
    // nghttp2 ends a session whose peer makes it queue too many RST_STREAM frames unread (its
    // outbound flood guard): also a bound, so such a session counts as kept within the cap.
    const endedByServer = sessions.filter((session) => session.closed || session.goaways > 0).length;
    const overCap = sessions.filter((session, index) => !(session.closed || session.goaways > 0) && refusedPerSession[index]! < perSession - maxStreamsPerConnection).length;
    const resetCodes = new Map<number, number>();
    for (const session of sessions) for (const [code, count] of session.resets) resetCodes.set(code, (resetCodes.get(code) ?? 0) + count);
    for (const session of sessions) session.socket.destroy();
    await pause(500);
    const rssAfter = service.rssMb();
    rssPeak = Math.max(rssPeak, rssAfter);

    console.log(
      `streams: ${attempts} attempts over ${sessionCount} sessions; RSS ${rssBefore.toFixed(0)} → peak ${rssPeak.toFixed(0)} → ${rssAfter.toFixed(0)} MB; ` +
        `server resets by code ${JSON.stringify(Object.fromEntries(resetCodes))}, fewest refused in a session ${Math.min(...refusedPerSession)}, ${endedByServer} sessions ended by the server; ` +
        `normal calls ${latenciesMs.length}/${latenciesMs.length + failures.length} ok, median ${median.toFixed(1)} ms, max ${(latenciesMs.at(-1) ?? Number.NaN).toFixed(1)} ms`,
    );

    expect(failures).toEqual([]);
    expect(rssPeak - rssBefore).toBeLessThan(300);
    expect(new Set(sessions.map((session) => session.announcedMaxStreams))).toEqual(new Set([maxStreamsPerConnection]));
    // Every session got at most the advertised number of streams, though it never acknowledged SETTINGS.
    expect(overCap).toBe(0);
    for (const client of clients) expect((await client.listVideos({})).videos).toEqual([]);
  }, heavy ? 300_000 : 60_000);
});

/** Opens a health Watch and resolves once its first status arrived; `ended` settles with how (and when) it ended. */
async function openWatch(url: string, signal: AbortSignal): Promise<{ first: Status; ended: Promise<{ code: Code | 'ok'; afterMs: number }> }> {
  const health = createClient(Health, createGrpcTransport({ baseUrl: url }));
  const started = performance.now();
  const iterator = health.watch({ service: '' }, { signal })[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) throw new Error('the Watch ended before its first status');
  const ended = (async () => {
    try {
      while (!(await iterator.next()).done);
      return { code: 'ok' as const, afterMs: performance.now() - started };
    } catch (error) {
      return { code: ConnectError.from(error).code, afterMs: performance.now() - started };
    }
  })();
  return { first: first.value.status, ended };
}

describe('public streams, bounded in number and lifetime', () => {
  const maxPublicStreams = 3;
  const publicStreamMaxMs = 1_500;
  let service: SpawnedService;
  beforeAll(async () => {
    service = await spawnService({ MAX_PUBLIC_STREAMS: String(maxPublicStreams), PUBLIC_STREAM_MAX_MS: String(publicStreamMaxMs) });
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('refuses a Watch or reflection stream past the cap with RESOURCE_EXHAUSTED, and ends Watches with OK at their lifetime', async () => {
    const abort = new AbortController();
    const watches = await Promise.all(Array.from({ length: maxPublicStreams }, () => openWatch(service.url, abort.signal)));
    expect(watches.map((watch) => watch.first)).toEqual(Array(maxPublicStreams).fill(Status.SERVING));

    const extra = await openWatch(service.url, abort.signal).then(
      () => 'opened',
      (error: unknown) => ConnectError.from(error).code,
    );
    expect(extra).toBe(Code.ResourceExhausted);
    const reflection = createClient(ServerReflection, createGrpcTransport({ baseUrl: service.url }));
    const reflected = await (async () => {
      async function* asks() {
        yield { host: '', messageRequest: { case: 'listServices' as const, value: '' } };
      }
      for await (const answer of reflection.serverReflectionInfo(asks())) return answer;
    })().then(
      () => 'answered',
      (error: unknown) => ConnectError.from(error).code,
    );
    expect(reflected).toBe(Code.ResourceExhausted);

    const ends = await Promise.all(watches.map((watch) => watch.ended));
    console.log(`public streams: ${maxPublicStreams} held, the next refused; lifetimes ended after ${ends.map((end) => Math.round(end.afterMs)).join(', ')} ms (limit ${publicStreamMaxMs})`);
    for (const end of ends) {
      expect(end.code).toBe('ok');
      expect(end.afterMs).toBeGreaterThanOrEqual(publicStreamMaxMs - 50);
      expect(end.afterMs).toBeLessThan(publicStreamMaxMs + 3_000);
    }
    // Their slots are free again.
    const again = await openWatch(service.url, abort.signal);
    expect(again.first).toBe(Status.SERVING);
    abort.abort();
  });
});

describe('calls in flight at the cap', () => {
  const maxCallsInFlight = 2;
  let service: SpawnedService;
  beforeAll(async () => {
    service = await spawnService({ MAX_CALLS_IN_FLIGHT: String(maxCallsInFlight) });
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('are refused at once with RESOURCE_EXHAUSTED that every client kind reads, while the probes still answer', async () => {
    const token = await service.mint('alice');
    const abort = new AbortController();
    // Watches hold their slot with a complete request, so they are never displaced.
    await Promise.all(Array.from({ length: maxCallsInFlight }, () => openWatch(service.url, abort.signal)));
    const refusals: Record<string, Code | 'ok'> = {};
    const latenciesMs: number[] = [];
    for (const protocol of ['grpc', 'grpc-web', 'connect'] as const) {
      const client = createVideoServiceClient({ baseUrl: service.url, token, protocol });
      const started = performance.now();
      refusals[protocol] = await client.listVideos({}).then(
        () => 'ok' as const,
        (error: unknown) => ConnectError.from(error).code,
      );
      latenciesMs.push(performance.now() - started);
    }
    const healthz = await fetch(`${service.url}/healthz`).catch((error: unknown) => {
      throw new Error(`${String(error)}; service stderr: ${service.stderr()}`);
    });
    console.log(`calls in flight: cap ${maxCallsInFlight} held; refusals ${JSON.stringify(refusals)} in ${latenciesMs.map((ms) => ms.toFixed(1)).join(', ')} ms`);
    expect(refusals).toEqual({ grpc: Code.ResourceExhausted, 'grpc-web': Code.ResourceExhausted, connect: Code.ResourceExhausted });
    expect(healthz.status).toBe(200);

    abort.abort();
    const client = createVideoServiceClient({ baseUrl: service.url, token, protocol: 'connect' });
    await pause(200);
    expect((await client.listVideos({})).videos).toEqual([]);
  });
});
