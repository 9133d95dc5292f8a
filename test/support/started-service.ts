// Starts the service through the composition root (start()), as `videosvc serve` does, on
// 127.0.0.1:0 over a SQLite file in a temporary directory, with its log captured: for tests
// of what start() wires in (the measured store, the metrics registry). Always stop() it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { mintToken } from '../../src/adapters/token/mint.ts';
import { parseConfig } from '../../src/app/config.ts';
import { start, type RunningService } from '../../src/main/start.ts';

const secret = 'started-service-secret-0123456789abcdefghij';

export interface StartedService {
  readonly service: RunningService;
  readonly url: string;
  /** Every log line so far, parsed. */
  readonly logs: Record<string, unknown>[];
  mint(owner: string, options?: { admin?: boolean }): Promise<string>;
  /** Waits until `count` lines follow the first `skip` (the call log writes a line as its call closes). */
  linesAfter(skip: number, count: number): Promise<Record<string, unknown>[]>;
  /** The text of GET /metrics. */
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

/** Starts the service; `env` adds or overrides configuration variables. */
export async function startService(env: Record<string, string> = {}): Promise<StartedService> {
  const dir = mkdtempSync(join(tmpdir(), 'videosvc-started-'));
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const config = parseConfig({ PORT: '0', SQLITE_PATH: join(dir, 'videos.sqlite'), JWT_SECRET: secret, RATE_LIMIT_PER_SECOND: '0', ...env });
  const service = await start(config, { logger }).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  return {
    service,
    url: service.url,
    logs,
    mint: (owner, options = {}) =>
      mintToken({ secret: new TextEncoder().encode(secret), subject: owner, admin: options.admin, ttlSeconds: 600 }),
    async linesAfter(skip, count) {
      for (let attempt = 0; attempt < 250 && logs.length < skip + count; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return logs.slice(skip);
    },
    async metrics() {
      const answer = await fetch(`${service.url}/metrics`);
      if (answer.status !== 200) throw new Error(`GET /metrics answered ${answer.status}`);
      return answer.text();
    },
    async stop() {
      await service.stop({ graceMs: 1_000 });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
