// HTTP/2 rapid reset (CVE-2023-44487): a client opens streams and resets each at once, so
// the server starts calls nobody waits for and the stream cap never bites. The service must
// close such a session, socket included, within a few seconds, and normal calls must fare
// no worse than under an ordinary flood of as many complete calls.
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVideoServiceClient } from '../../src/client.ts';
import {
  clientPreface,
  closedWithin,
  dataFrame,
  errorCode,
  flag,
  frameType,
  grpcEnvelope,
  grpcRequestHeaders,
  headersFrame,
  rawConnect,
  readFrames,
  rstStreamFrame,
  settingsFrame,
  windowUpdateFrame,
} from '../support/h2-frames.ts';
import { spawnService, type SpawnedService } from '../support/spawned-service.ts';

const heavy = process.env.VIDEOSVC_ATTACK_HEAVY === '1';
const pairs = heavy ? 200_000 : 20_000;
const maxResets = 200;
const attackerSessions = 4;
/** The probe's rate (200 000 pairs in 20 s), so the attack lasts long enough to meet many closes. */
const pairsPerSecond = 10_000;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sequential normal gRPC calls until `done` resolves; their median latency (ms) and any failures. */
async function measureNormalCalls(call: () => Promise<unknown>, done: Promise<unknown>, service: SpawnedService): Promise<{ median: number; count: number; failures: string[] }> {
  let finished = false;
  void done.then(() => (finished = true));
  const latencies: number[] = [];
  const failures: string[] = [];
  const began = performance.now();
  while (!finished) {
    const started = performance.now();
    try {
      await call();
      latencies.push(performance.now() - started);
    } catch (error) {
      failures.push(`${String(error)} after ${Math.round(performance.now() - started)} ms, ${Math.round(started - began)} ms in`);
      if (failures.length >= 10) throw new Error(`normal calls keep failing: ${failures.join('; ')}; service stderr: ${service.stderr()}; service warnings: ${JSON.stringify(service.logs.slice(-5))}`);
    }
    await pause(10);
  }
  latencies.sort((a, b) => a - b);
  return { median: latencies[Math.floor(latencies.length / 2)] ?? Number.NaN, count: latencies.length, failures };
}

/** An ordinary flood: `total` complete Health/Check calls over `sessions` sessions, 100 in flight on each. */
async function ordinaryFlood(port: number, total: number, sessions: number): Promise<number> {
  let started = 0;
  let completed = 0;
  let finish!: () => void;
  const allDone = new Promise<void>((resolve) => (finish = resolve));
  const block = grpcRequestHeaders('/grpc.health.v1.Health/Check');
  const body = grpcEnvelope();
  await Promise.all(
    Array.from({ length: sessions }, async () => {
      const socket = await rawConnect(port);
      let nextStreamId = 1;
      const send = (): void => {
        if (started >= total || socket.destroyed) return;
        started += 1;
        socket.write(Buffer.concat([headersFrame(nextStreamId, block, false), dataFrame(nextStreamId, body, true)]));
        nextStreamId += 2;
      };
      readFrames(socket, (received) => {
        if (received.type === frameType.settings && (received.flags & flag.ack) === 0) socket.write(settingsFrame(true));
        if (received.type === frameType.data && received.payload.length > 0) socket.write(windowUpdateFrame(0, received.payload.length));
        const ended = (received.type === frameType.headers && (received.flags & flag.endStream) !== 0) || received.type === frameType.rstStream;
        if (!ended) return;
        completed += 1;
        if (completed >= total) return finish();
        send();
      });
      socket.write(Buffer.concat([clientPreface, settingsFrame()]));
      for (let index = 0; index < 100; index += 1) send();
      await Promise.race([allDone, new Promise((resolve) => socket.once('close', resolve))]);
      socket.destroy();
    }),
  );
  return completed;
}

interface AttackResult {
  sent: number;
  sessions: number;
  /** Per session: ms from the write that passed the reset limit to the socket's close. */
  closeMs: number[];
}

/** `total` HEADERS+RST_STREAM pairs at `pairsPerSecond` over `parallel` sessions, reconnecting whenever the server closes one. */
async function rapidReset(port: number, total: number, parallel: number): Promise<AttackResult> {
  const result: AttackResult = { sent: 0, sessions: 0, closeMs: [] };
  const startedAt = performance.now();
  const onSchedule = async (): Promise<void> => {
    const dueAt = startedAt + (result.sent / pairsPerSecond) * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, dueAt - performance.now())));
  };
  const block = grpcRequestHeaders('/video.v1.VideoService/GetVideo');
  const attacker = async (): Promise<void> => {
    while (result.sent < total) {
      const socket: net.Socket = await rawConnect(port);
      result.sessions += 1;
      const closed = closedWithin(socket);
      let sentHere = 0;
      let limitPassedAt: number | undefined;
      let nextStreamId = 1;
      socket.write(Buffer.concat([clientPreface, settingsFrame()]));
      while (!socket.destroyed && result.sent < total) {
        const batch: Buffer[] = [];
        for (let index = 0; index < 25 && result.sent < total; index += 1) {
          batch.push(headersFrame(nextStreamId, block, false), rstStreamFrame(nextStreamId));
          nextStreamId += 2;
          sentHere += 1;
          result.sent += 1;
        }
        const flushed = socket.write(Buffer.concat(batch));
        if (limitPassedAt === undefined && sentHere > maxResets) limitPassedAt = performance.now();
        // Never faster than the server reads: pairs piling up in this process's buffer were never sent.
        if (!flushed) await new Promise((resolve) => (socket.once('drain', resolve), socket.once('close', resolve)));
        await onSchedule();
      }
      // The last session may end under the limit: nothing to wait for.
      if (limitPassedAt === undefined) {
        socket.destroy();
        continue;
      }
      const stillOpen = new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), 10_000).unref());
      const outcome = await Promise.race([closed, stillOpen]);
      result.closeMs.push(outcome === 'open' ? Number.POSITIVE_INFINITY : Math.max(0, performance.now() - limitPassedAt));
      socket.destroy();
    }
  };
  await Promise.all(Array.from({ length: parallel }, attacker));
  return result;
}

describe(`${pairs} HTTP/2 rapid resets`, () => {
  let service: SpawnedService;
  beforeAll(async () => {
    service = await spawnService({ HTTP2_MAX_RESETS: String(maxResets) });
  });
  afterAll(async () => {
    await service?.stop();
  });

  it(`close each abusive session within a few seconds and keep normal latency within 2× an ordinary flood's (${pairs} pairs)`, async () => {
    const client = createVideoServiceClient({ baseUrl: service.url, token: await service.mint('alice'), protocol: 'grpc' });
    const call = () => client.listVideos({});
    await call();

    const floodStarted = performance.now();
    const flood = ordinaryFlood(service.port, pairs, attackerSessions);
    const underFlood = await measureNormalCalls(call, flood, service);
    const floodCompleted = await flood;
    const floodMs = performance.now() - floodStarted;

    const linesBefore = service.logLines();
    const attackStarted = performance.now();
    const attack = rapidReset(service.port, pairs, attackerSessions);
    const underAttack = await measureNormalCalls(call, attack, service);
    const attacked = await attack;
    const attackMs = performance.now() - attackStarted;
    await pause(200);
    const attackLogLines = service.logLines() - linesBefore;
    const rapidResetWarnings = service.logs.filter((line) => String(line.msg).includes('rapid reset')).length;
    const worstCloseMs = Math.max(...attacked.closeMs);

    console.log(
      `rapid reset: ${attacked.sent} pairs over ${attacked.sessions} sessions in ${(attackMs / 1000).toFixed(1)} s; ` +
        `each session closed ${Math.round(Math.min(...attacked.closeMs))}–${Math.round(worstCloseMs)} ms after passing ${maxResets} resets; ` +
        `${attackLogLines} log lines (${rapidResetWarnings} rapid-reset warnings); normal median ${underAttack.median.toFixed(1)} ms (${underAttack.count} calls) ` +
        `vs ${underFlood.median.toFixed(1)} ms (${underFlood.count} calls) under an ordinary flood of ${floodCompleted} calls in ${(floodMs / 1000).toFixed(1)} s`,
    );

    expect({ underFlood: underFlood.failures, underAttack: underAttack.failures }).toEqual({ underFlood: [], underAttack: [] });
    expect(floodCompleted).toBe(pairs);
    expect(attacked.sent).toBe(pairs);
    expect(worstCloseMs).toBeLessThan(3_000);
    expect(underAttack.median).toBeLessThanOrEqual(2 * underFlood.median);
    // One warning per closed session at most, not one line per reset stream.
    expect(attackLogLines).toBeLessThan(attacked.sessions * 2 + underAttack.count + 10);
    expect((await client.listVideos({})).videos).toEqual([]);
  }, heavy ? 600_000 : 120_000);

  it('closes a session whose resets say NO_ERROR just the same (1 000 pairs, socket closed within 3 s)', async () => {
    const socket = await rawConnect(service.port);
    const closed = closedWithin(socket);
    const block = grpcRequestHeaders('/video.v1.VideoService/GetVideo');
    const frames = [clientPreface, settingsFrame()];
    for (let index = 0; index < 1_000; index += 1) frames.push(headersFrame(2 * index + 1, block, false), rstStreamFrame(2 * index + 1, errorCode.noError));
    socket.write(Buffer.concat(frames));
    const outcome = await Promise.race([closed, pause(3_000).then(() => 'open' as const)]);
    socket.destroy();
    console.log(`rapid reset with NO_ERROR: 1000 pairs, socket ${outcome === 'open' ? 'still open after 3 s' : `closed after ${Math.round(outcome)} ms`}`);
    expect(outcome).not.toBe('open');
  });
});
