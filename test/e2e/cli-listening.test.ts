// Issue 12: with PORT=0 the service picks a port that only its `listening` line reports, so
// that line must reach the operator at every LOG_LEVEL: at info as usual, at warn when
// LOG_LEVEL=warn, and as one plain stderr line when the log shows less than warnings.
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { baseEnv, binPath, killServe, startServe, tempDir, testSecret, type ServeProcess } from './cli-process.ts';

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

const pinoLevel = { info: 30, warn: 40 } as const;

async function healthz(url: string): Promise<number> {
  const response = await fetch(`${url}/healthz`);
  await response.text();
  return response.status;
}

function env(logLevel: string) {
  return baseEnv(dir.path, { PORT: '0', LOG_LEVEL: logLevel, JWT_SECRET: testSecret, SHUTDOWN_DELAY_MS: '0' });
}

describe('videosvc serve with PORT=0 tells the chosen port at every LOG_LEVEL', () => {
  it.each([['info'], ['warn']] as const)('LOG_LEVEL=%s: one JSON `listening` line at that level, with the URL that answers', async (level) => {
    serve = await startServe(env(level), dir.path);
    const listening = serve.logs.filter((line) => line.msg === 'listening');
    expect(listening).toHaveLength(1);
    expect(listening[0]!.level).toBe(pinoLevel[level]);
    expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(new URL(serve.url).port).not.toBe('0');
    expect(await healthz(serve.url)).toBe(200);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toEqual({ code: 0, signal: null });
    expect(serve.stderr()).toBe('');
  });

  it.each([['error'], ['silent']])('LOG_LEVEL=%s: no log line, one stderr line with the URL that answers', async (level) => {
    const child = spawn(process.execPath, [binPath, 'serve'], { env: env(level), cwd: dir.path, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('close', (code, signal) => done({ code, signal })));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          if (stderr.includes('\n')) resolve(stderr.split('\n')[0]!);
        });
        void exited.then(() => reject(new Error(`serve exited before saying where it listens: ${stderr}`)));
      });
      const url = /^videosvc: listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(line);
      expect(url, line).not.toBeNull();
      expect(url![2]).not.toBe('0');
      expect(await healthz(url![1]!)).toBe(200);
      child.kill('SIGTERM');
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(stdout).toBe('');
      expect(stderr).toBe(`${line}\n`);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

// Issue 10: serve fixes V8's old-generation growth at 50 % (shorter full-collection pauses, flat
// RSS under load) and the listening line says so; a value given on node's command line wins, 0
// included (V8's adaptive growth).
describe('the listening line says how V8 heap growth is set', () => {
  const listeningLine = (process: ServeProcess) => process.logs.find((line) => line.msg === 'listening')!;

  it('started plainly, serve sets 50 %', async () => {
    serve = await startServe(env('info'), dir.path);
    expect(listeningLine(serve).heapGrowth).toEqual({ growingPercent: 50, setBy: 'videosvc' });
  });

  it.each([['--heap-growing-percent=0', 0], ['--heap-growing-percent=80', 80]])('node %s: the operator’s value stays, and is reported', async (flag, percent) => {
    serve = await startServe(env('info'), dir.path, binPath, [flag]);
    expect(listeningLine(serve).heapGrowth).toEqual({ growingPercent: percent, setBy: 'node command line' });
  });
});
