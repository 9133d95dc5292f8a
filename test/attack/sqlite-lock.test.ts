// Attack: another process holds the SQLite write lock (BEGIN IMMEDIATE) for 6 s (30 s with
// VIDEOSVC_ATTACK_HEAVY=1) under the real service (start(), a file store) while it serves
// a steady GetVideo load and some writes with a 1 s deadline. The process must not
// freeze: GetVideo p99 < 50 ms throughout, /healthz and Health answer, /readyz and the
// health of video.v1.VideoService say not ready, every write ends by its deadline; after
// the release writes succeed and /readyz is ready again, with no restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../src/adapters/token/mint.ts';
import { parseConfig } from '../../src/app/config.ts';
import { start, type RunningService } from '../../src/main/start.ts';
import { Health, HealthCheckResponse_ServingStatus as Serving } from '../../src/gen/grpc/health/v1/health_pb.ts';
import { testSecret, videoClient } from '../e2e/cli-process.ts';
import { startSqliteChild } from '../support/sqlite-processes.ts';

const heavy = process.env.VIDEOSVC_ATTACK_HEAVY === '1';
const lockMs = heavy ? 30_000 : 6_000;
const writeDeadlineMs = 1_000;
// Answers come from the server (the client sends the deadline header but does not
// enforce it itself). The margin covers timer lateness on a 2-core machine shared with
// other test files; before the fix a write with a 1 s deadline answered after 19.9 s.
const lateMarginMs = 400;
// No single GetVideo may wait this long: a frozen event loop (one busy_timeout wait on
// it cost 5 s) shows here even when too rare to move the p99.
const freezeMs = 500;

const directory = mkdtempSync(join(tmpdir(), 'videosvc-lock-attack-'));
const path = join(directory, 'videos.sqlite');
let service: RunningService;

beforeAll(async () => {
  const config = parseConfig({ PORT: '0', SQLITE_PATH: path, JWT_SECRET: testSecret });
  service = await start(config, { logger: pino({ level: 'silent' }) });
});
afterAll(async () => {
  await service?.stop({ graceMs: 0 });
  rmSync(directory, { recursive: true, force: true });
});

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

async function status(route: '/healthz' | '/readyz'): Promise<number> {
  const response = await fetch(`${service.url}${route}`);
  await response.text();
  return response.status;
}

function codeOf(error: unknown): string {
  return Code[ConnectError.from(error).code] ?? 'unknown';
}

describe(`a SQLite write lock held by another process for ${lockMs / 1000} s`, () => {
  it(`keeps GetVideo p99 < 50 ms, writes ending by their ${writeDeadlineMs} ms deadline, probes answering, and recovers without a restart`, { timeout: lockMs + 30_000 }, async () => {
    const token = await mintToken({ secret: new TextEncoder().encode(testSecret), subject: 'alice', ttlSeconds: 600 });
    const client = videoClient(service.url, token);
    const health = createClient(Health, createGrpcTransport({ baseUrl: service.url }));
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await client.createVideo({ video: { originalName: `v${i}.mp4` } })).video!.videoId);
    // Readers run from here on. The first phase, before the lock, gives the baseline on
    // this (shared, possibly busy) machine under the same load: readers, writes, probes.
    let phase: 'baseline' | 'locked' | 'done' = 'baseline';
    const readMs = { baseline: [] as number[], locked: [] as number[] };
    const readFailures: string[] = [];
    const readers = Array.from({ length: 3 }, async (_, reader) => {
      for (let i = 0; phase !== 'done'; i++) {
        const during = phase;
        const started = performance.now();
        try {
          await client.getVideo({ videoId: ids[(reader * 7 + i) % ids.length]! });
          if (during === phase) readMs[during].push(performance.now() - started);
        } catch (error) {
          readFailures.push(codeOf(error));
        }
        await sleep(10);
      }
    });

    const writes: Array<{ code: string; lateMs: number }> = [];
    const writeFor = async (untilMs: number, record: boolean): Promise<void> => {
      for (let i = 0; Date.now() < untilMs; i++) {
        const started = Date.now();
        // The deadline header only: the answer must come from the server, not the client's timer.
        const code = await client
          .createVideo({ video: { originalName: `w-${i}.mp4` } }, { headers: { 'grpc-timeout': `${writeDeadlineMs}m` } })
          .then(
            () => 'OK',
            (error: unknown) => codeOf(error),
          );
        if (record) writes.push({ code, lateMs: Date.now() - (started + writeDeadlineMs) });
        await sleep(200);
      }
    };
    const probes: Array<{ healthz: number; readyz: number; health: string; ms: number }> = [];
    const probeFor = async (untilMs: number, record: boolean): Promise<void> => {
      while (Date.now() < untilMs) {
        const started = Date.now();
        const [healthz, readyz, check] = await Promise.all([status('/healthz'), status('/readyz'), health.check({ service: 'video.v1.VideoService' })]);
        if (record) probes.push({ healthz, readyz, health: Serving[check.status], ms: Date.now() - started });
        await sleep(500);
      }
    };
    const baselineEnd = Date.now() + 2_500;
    await Promise.all([writeFor(baselineEnd, false), probeFor(baselineEnd, false)]);
    // Past the store's "a commit in the last second proves it writable" window, so
    // readiness must really probe once the lock is taken.
    await sleep(1_100);

    const holder = startSqliteChild('hold-lock', path, String(lockMs));
    await holder.printed('locked');
    phase = 'locked';
    const lockedAt = Date.now();
    void holder.printed('released').then(() => (phase = 'done'));
    const writers = writeFor(lockedAt + lockMs - writeDeadlineMs - 500, true);
    const prober = probeFor(lockedAt + lockMs - 1_500, true);
    await Promise.all([writers, prober]);
    await holder.done;
    await Promise.all(readers);

    // After the release: writes succeed and /readyz is ready again, same process.
    const after = await client.createVideo({ video: { originalName: 'after.mp4' } }, { timeoutMs: 5_000 });
    let readyAfter = 0;
    for (let attempt = 0; attempt < 20 && readyAfter !== 200; attempt++) {
      readyAfter = await status('/readyz');
      if (readyAfter !== 200) await sleep(100);
    }

    const sorted = [...readMs.locked].sort((a, b) => a - b);
    const p50 = percentile(sorted, 0.5);
    const p99 = percentile(sorted, 0.99);
    const baselineP99 = percentile([...readMs.baseline].sort((a, b) => a - b), 0.99);
    const writeCodes = writes.reduce<Record<string, number>>((counts, write) => ({ ...counts, [write.code]: (counts[write.code] ?? 0) + 1 }), {});
    const latestWriteMs = Math.max(...writes.map((write) => write.lateMs));
    console.log(
      `sqlite lock ${lockMs} ms: GetVideo before the lock n=${readMs.baseline.length} p99=${baselineP99.toFixed(1)} ms; ` +
        `during it n=${readMs.locked.length} p50=${p50.toFixed(1)} ms p99=${p99.toFixed(1)} ms ` +
        `max=${sorted.at(-1)?.toFixed(1)} ms failures=${readFailures.length}; writes ${JSON.stringify(writeCodes)} ` +
        `ended at most ${latestWriteMs} ms after their deadline; probes ${probes.length} ` +
        `(readyz ${probes.map((p) => p.readyz).join(',')}; slowest ${Math.max(...probes.map((p) => p.ms))} ms); ` +
        `readyz after release ${readyAfter}`,
    );

    expect(readFailures).toEqual([]);
    expect(readMs.locked.length).toBeGreaterThan(100);
    // 50 ms is the target; on a machine so loaded by other work that GetVideo's p99 is
    // already above 25 ms without any lock, the lock may at most double it (a frozen
    // event loop, the failure this guards against, costs seconds, not milliseconds).
    expect(p99).toBeLessThan(Math.max(50, 2 * baselineP99));
    expect(sorted.at(-1)).toBeLessThan(freezeMs);
    expect(writes.length).toBeGreaterThan(2);
    expect(Object.keys(writeCodes).every((code) => code === 'Unavailable' || code === 'DeadlineExceeded')).toBe(true);
    expect(latestWriteMs).toBeLessThanOrEqual(lateMarginMs);
    expect(probes.length).toBeGreaterThan(2);
    expect(probes.every((probe) => probe.healthz === 200)).toBe(true);
    expect(probes.every((probe) => probe.readyz === 503)).toBe(true);
    expect(probes.every((probe) => probe.health === 'NOT_SERVING')).toBe(true);
    expect(after.video?.originalName).toBe('after.mp4');
    expect(readyAfter).toBe(200);
  });
});
