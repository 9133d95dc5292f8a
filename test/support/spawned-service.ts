// The real `videosvc serve` in a child process of its own (its own process group), so an
// attack test measures the service alone: its RSS and file descriptors read from /proc, its
// event loop not shared with the attacker. SQLite in a temporary directory, a known
// JWT_SECRET so tests mint their own tokens, and any limits given as environment variables.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mintToken } from '../../src/adapters/token/mint.ts';

const binPath = resolve(import.meta.dirname, '../../bin/videosvc.mjs');
const secret = 'attack-test-secret-0123456789abcdefghijklmnop';

export interface SpawnedService {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Resident memory of the service process, in MB (VmRSS). */
  rssMb(): number;
  /** Open file descriptors of the service process. */
  openFds(): number;
  /** Log lines at warn or above so far, parsed (info lines are only counted, to keep the reader cheap). */
  readonly logs: Array<Record<string, unknown>>;
  /** How many log lines the service has written. */
  logLines(): number;
  /** What the service wrote to stderr (a crash's stack). */
  stderr(): string;
  mint(subject: string): Promise<string>;
  /** Kills the whole process group and removes the data directory. */
  stop(): Promise<void>;
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Starts the service with `env` added (limits, LOG_LEVEL…); resolves once it logs `listening`. */
export async function spawnService(env: Record<string, string> = {}): Promise<SpawnedService> {
  const dir = mkdtempSync(join(tmpdir(), 'videosvc-attack-'));
  const child: ChildProcess = spawn(process.execPath, [binPath, 'serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dir,
      HOST: '127.0.0.1',
      PORT: '0',
      SQLITE_PATH: join(dir, 'videos.sqlite'),
      JWT_SECRET: secret,
      LOG_LEVEL: 'info',
      ...env,
    },
    cwd: dir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A detached child outlives its parent: kill it if the test process exits without stop().
  const killOnExit = (): void => killGroup(child.pid);
  process.once('exit', killOnExit);
  const logs: Array<Record<string, unknown>> = [];
  let lineCount = 0;
  const exited = new Promise<void>((done) => child.once('close', () => done()));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let listening = (): void => undefined;
  const url = await new Promise<string>((resolveUrl, reject) => {
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
        lineCount += 1;
        if (!line.includes('"msg":"listening"') && /"level":[1-3]\d\b/.test(line)) continue;
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (logs.length < 10_000) logs.push(entry);
        if (entry.msg === 'listening') {
          listening();
          resolveUrl(String(entry.url));
        }
      }
    });
    void exited.then(() => reject(new Error(`serve exited before listening: ${stderr}`)));
    // Never leave a service behind: one that does not listen in time is killed.
    const startLimit = setTimeout(() => {
      killGroup(child.pid);
      reject(new Error(`serve did not log "listening" within 20 s: ${stderr}`));
    }, 20_000);
    startLimit.unref();
    listening = () => clearTimeout(startLimit);
  });
  const pid = child.pid!;
  return {
    url,
    port: Number(new URL(url).port),
    pid,
    logs,
    logLines: () => lineCount,
    stderr: () => stderr,
    rssMb() {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return Number(match?.[1] ?? 0) / 1024;
    },
    openFds: () => readdirSync(`/proc/${pid}/fd`).length,
    mint: (subject) => mintToken({ secret: new TextEncoder().encode(secret), subject, ttlSeconds: 3600 }),
    async stop() {
      killGroup(pid);
      await exited;
      process.off('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
