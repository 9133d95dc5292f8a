// Runs the real `videosvc` executable as a child process, the way an operator would: a
// controlled environment (nothing inherited but PATH, HOME and TMPDIR), a temporary data
// directory as the working directory, and the listening URL read from the JSON log.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Client } from '@connectrpc/connect';
import { createVideoServiceClient } from '../../src/client.ts';
import type { VideoService } from '../../src/gen/video/v1/video_service_pb.ts';

export const binPath = resolve(import.meta.dirname, '../../bin/videosvc.mjs');

/** A test-only token secret (≥ 32 bytes), given as JWT_SECRET where a test needs to mint tokens itself. */
export const testSecret = 'e2e-cli-secret-0123456789abcdefghijklmnop';

export type Env = Record<string, string>;

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'videosvc-cli-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** The environment every run starts from: only what node needs, plus a database in `dir`. */
export function baseEnv(dir: string, extra: Env = {}): Env {
  const inherited: Env = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR']) {
    const value = process.env[name];
    if (value !== undefined) inherited[name] = value;
  }
  return { ...inherited, HOST: '127.0.0.1', PORT: '0', SQLITE_PATH: join(dir, 'videos.sqlite'), LOG_LEVEL: 'info', ...extra };
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `videosvc <args>` to completion. */
export function runCli(args: readonly string[], env: Env, cwd: string): Promise<CliResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolveRun({ code, signal, stdout, stderr }));
  });
}

/** Runs `videosvc <args>` to completion, noting when each stderr line arrived (ms since the start). */
export function runCliTimed(
  args: readonly string[],
  env: Env,
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: Array<{ text: string; atMs: number }> }> {
  return new Promise((resolveRun, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [binPath, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let pending = '';
    const stderr: Array<{ text: string; atMs: number }> = [];
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const text of lines) stderr.push({ text, atMs: Date.now() - started });
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (pending !== '') stderr.push({ text: pending, atMs: Date.now() - started });
      resolveRun({ code, stdout, stderr });
    });
  });
}

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Every pino line logged so far, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/**
 * Starts `videosvc serve` and resolves once it logs `listening`; rejects if it exits first.
 * `bin` is another copy of the executable, e.g. the one an installed package ships;
 * `nodeArgs` go to node before it (e.g. a V8 flag).
 */
export function startServe(env: Env, cwd: string, bin = binPath, nodeArgs: readonly string[] = []): Promise<ServeProcess> {
  const child = spawn(process.execPath, [...nodeArgs, bin, 'serve'], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  let pending = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('close', (code, signal) => done({ code, signal })),
  );
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolveStart, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === 'listening') {
          resolveStart({ child, url: String(entry.url), logs, exited, stderr: () => stderr });
        }
      }
    });
    void exited.then(({ code, signal }) => reject(new Error(`serve exited (${code ?? signal}) before listening: ${stderr}`)));
  });
}

/** Stops a serve process with SIGKILL if it is still running (test clean-up). */
export async function killServe(serve: ServeProcess | undefined): Promise<void> {
  if (serve === undefined || serve.child.exitCode !== null || serve.child.signalCode !== null) return;
  serve.child.kill('SIGKILL');
  await serve.exited;
}

/** A gRPC (HTTP/2) client of VideoService at `url`, sending `token` on every call. */
export function videoClient(url: string, token: string): Client<typeof VideoService> {
  return createVideoServiceClient({ baseUrl: url, token, protocol: 'grpc' });
}

/** A TCP port that was free a moment ago, for tests that must know the port in advance. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:`port` right now. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((answer) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      answer(true);
    });
    socket.once('error', () => answer(false));
  });
}

/** Runs `serve` with `env` on a known free port, watching that port until the process exits. */
export async function serveFailing(env: Env, cwd: string): Promise<CliResult & { listened: boolean }> {
  const port = await freePort();
  let done = false;
  let listened = false;
  const watching = (async () => {
    while (!done) {
      if (await isListening(port)) listened = true;
      await new Promise((wait) => setTimeout(wait, 5));
    }
  })();
  const result = await runCli(['serve'], { ...env, PORT: String(port) }, cwd);
  done = true;
  await watching;
  return { ...result, listened };
}
