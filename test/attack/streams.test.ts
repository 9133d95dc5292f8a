// Unfinished streams cost memory on the server until something ends them. A raw client that
// ignores SETTINGS (so never learns the stream cap) opens stream after stream over many
// sessions, never sending a body, half of them with a valid token: the service must refuse
// what is past its caps, keep its memory bounded and keep answering normal calls.
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVideoServiceClient } from '../../src/client.ts';
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
}

/** Opens a session that never acknowledges SETTINGS and opens `count` streams without ending any. */
async function openUnfinishedStreams(port: number, count: number, token: string | undefined): Promise<AttackSession> {
  const socket = await rawConnect(port);
  const session: AttackSession = { socket, resets: new Map(), goaways: 0 };
  readFrames(socket, (received) => {
    if (received.type === frameType.rstStream) {
      const code = received.payload.readUInt32BE(0);
      session.resets.set(code, (session.resets.get(code) ?? 0) + 1);
    }
    if (received.type === frameType.goaway) session.goaways += 1;
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
    const resetCodes = new Map<number, number>();
    for (const session of sessions) for (const [code, count] of session.resets) resetCodes.set(code, (resetCodes.get(code) ?? 0) + count);
    for (const session of sessions) session.socket.destroy();
    await pause(500);
    const rssAfter = service.rssMb();
    rssPeak = Math.max(rssPeak, rssAfter);

    console.log(
      `streams: ${attempts} attempts over ${sessionCount} sessions; RSS ${rssBefore.toFixed(0)} → peak ${rssPeak.toFixed(0)} → ${rssAfter.toFixed(0)} MB; ` +
        `server resets by code ${JSON.stringify(Object.fromEntries(resetCodes))}, fewest refused in a session ${Math.min(...refusedPerSession)}; ` +
        `normal calls ${latenciesMs.length}/${latenciesMs.length + failures.length} ok, median ${median.toFixed(1)} ms, max ${(latenciesMs.at(-1) ?? Number.NaN).toFixed(1)} ms`,
    );

    expect(failures).toEqual([]);
    expect(rssPeak - rssBefore).toBeLessThan(300);
    // Every session got at most the advertised number of streams, though it never acknowledged SETTINGS.
    expect(Math.min(...refusedPerSession)).toBeGreaterThanOrEqual(perSession - maxStreamsPerConnection);
    for (const client of clients) expect((await client.listVideos({})).videos).toEqual([]);
  }, 60_000);
});
