// Issue 12 item 5: the image's start command, run as the Dockerfile writes it, from the
// layout its runtime stage copies (no src/, no npm), answers SIGTERM by draining and
// exiting 0, with no node left behind. There is no Docker engine here, so the process
// tree is what `docker run` would start, minus the container: tini (Debian's package, the
// path the Dockerfile names) with node as its child.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { shutdownGraceMs } from '../../src/cli/serve.ts';
import { envOf, execForm, instructionsOf, readDockerfile } from '../support/dockerfile.ts';
import { repositoryRoot } from '../support/manifests.ts';

const stages = readDockerfile(resolve(repositoryRoot, 'Dockerfile'));
const runtime = stages.at(-1)!;
const build = stages.find((stage) => stage.name !== undefined && stage !== runtime)!;
const entrypoint = execForm(runtime, 'ENTRYPOINT');
const command = execForm(runtime, 'CMD');
const workdir = instructionsOf(runtime, 'WORKDIR').at(-1)!;
const buildWorkdir = instructionsOf(build, 'WORKDIR').at(-1)!;
// Long enough that a slow, shared machine still asks /readyz inside the delay.
const preStopDelayMs = 2_000;
const secret = 'dockerfile-test-secret-0123456789abcdefghij';

// tini is in .ci/run's packages; on a machine without it only the node part can run.
const tini = entrypoint[0]!;
const tiniInstalled = existsSync(tini);

describe('the Dockerfile', () => {
  it('builds in one stage and runs in another: node 24 slim, non-root, tini then node, no npm', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(runtime.from).toBe('node:24-bookworm-slim');
    expect(instructionsOf(build, 'RUN').join('\n')).toMatch(/npm ci[\s\S]*node scripts\/build\.mjs && npm prune --omit=dev/);
    expect(instructionsOf(runtime, 'USER').at(-1)).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    expect(entrypoint).toEqual(['/usr/bin/tini', '--']);
    expect(command).toEqual(['node', 'bin/videosvc.mjs', 'serve']);
    expect(instructionsOf(runtime, 'RUN').join('\n')).not.toMatch(/\bnpm (ci|install|run|start)\b/);
    expect(envOf(runtime)).toEqual({ NODE_ENV: 'production', HOST: '0.0.0.0', PORT: '8080', SQLITE_PATH: '/data/videos.sqlite' });
    expect(instructionsOf(runtime, 'VOLUME')).toEqual([JSON.stringify([dirname(envOf(runtime).SQLITE_PATH!)])]);
  });

  it('sends its build stage everything it copies, and nothing else from the checkout', () => {
    const ignore = readFileSync(resolve(repositoryRoot, '.dockerignore'), 'utf8').split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    expect(ignore[0]).toBe('*');
    const included = ignore.filter((line) => line.startsWith('!')).map((line) => line.slice(1));
    const copied = instructionsOf(build, 'COPY').flatMap((args) => args.split(/\s+/).slice(0, -1));
    expect(new Set(copied)).toEqual(new Set(included));
  });
});

/** The runtime stage's files in a temporary WORKDIR, copied from this checkout as its COPY lines say. */
function imageLayout(): string {
  const root = mkdtempSync(join(tmpdir(), 'videosvc-image-'));
  const app = join(root, workdir);
  for (const args of instructionsOf(runtime, 'COPY')) {
    const copy = /^--from=(\S+)\s+(\S+)\s+(\S+)$/.exec(args);
    expect(copy?.[1], `runtime COPY comes from the build stage: ${args}`).toBe(build.name);
    const from = resolve(repositoryRoot, copy![2]!.replace(new RegExp(`^${buildWorkdir}/`), ''));
    const to = resolve(app, copy![3]!);
    // The checkout's node_modules holds the dev dependencies too; linked, not copied, for speed.
    if (from.endsWith('/node_modules')) symlinkSync(from, to);
    else cpSync(from, to, { recursive: true });
  }
  return root;
}

/** Whether dist/service is newer than every source file, as bin/videosvc.mjs decides. */
function bundleIsCurrent(): boolean {
  const bundle = resolve(repositoryRoot, 'dist/service/main.mjs');
  if (!existsSync(bundle)) return false;
  const sources = resolve(repositoryRoot, 'src');
  const newest = readdirSync(sources, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((latest, entry) => Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs), 0);
  return statSync(bundle).mtimeMs > newest;
}

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly stdout: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let layout: string | undefined;
let started: Started | undefined;

beforeAll(() => {
  // The build stage's `node scripts/build.mjs`, here only when the checkout's bundle is stale
  // (npm ci already built it in CI).
  if (!bundleIsCurrent()) {
    const built = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repositoryRoot, encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
  }
});

afterEach(() => {
  if (started?.child.exitCode === null && started.child.signalCode === null) process.kill(-started.child.pid!, 'SIGKILL');
  started = undefined;
  if (layout !== undefined) rmSync(layout, { recursive: true, force: true });
  layout = undefined;
});

/** Runs `argv` in the image layout with the image's ENV, adjusted for a test on loopback. */
async function run(argv: readonly string[], env: Record<string, string>): Promise<Started> {
  layout = imageLayout();
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: join(layout, workdir),
    env: {
      // `node` resolves through PATH as in the image: to the node running this test.
      PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
      ...envOf(runtime),
      // Only loopback in tests; the image's HOST=0.0.0.0 is checked above.
      HOST: '127.0.0.1',
      PORT: '0',
      SQLITE_PATH: join(layout, 'data/videos.sqlite'),
      SHUTDOWN_DELAY_MS: String(preStopDelayMs),
      ...env,
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('close', (code, signal) => done({ code, signal })),
  );
  const url = await new Promise<string>((listening, failed) => {
    const poll = setInterval(() => {
      const line = stdout.split('\n').find((each) => each.includes('"msg":"listening"'));
      if (line !== undefined) {
        clearInterval(poll);
        listening(String((JSON.parse(line) as { url: string }).url));
      }
    }, 20);
    void exited.then(({ code }) => {
      clearInterval(poll);
      failed(new Error(`exited ${code} before listening: ${stderr}`));
    });
  });
  return { child, url, stdout: () => stdout, exited };
}

async function status(url: string): Promise<number> {
  return (await fetch(url)).status;
}

/** The pids of `pid`'s children (Linux). */
function childrenOf(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopsOnSigterm(service: Started, nodePid: number): Promise<void> {
  expect(await status(`${service.url}/healthz`)).toBe(200);
  expect(await status(`${service.url}/readyz`)).toBe(200);
  const signalledAt = performance.now();
  service.child.kill('SIGTERM');
  // The pre-stop delay: still alive, no longer ready.
  await new Promise((settle) => setTimeout(settle, 200));
  expect(await status(`${service.url}/readyz`)).toBe(503);
  expect(await status(`${service.url}/healthz`)).toBe(200);
  const { code, signal } = await service.exited;
  const tookMs = performance.now() - signalledAt;
  expect({ code, signal }).toEqual({ code: 0, signal: null });
  expect(tookMs).toBeGreaterThanOrEqual(preStopDelayMs);
  expect(tookMs).toBeLessThan(preStopDelayMs + shutdownGraceMs);
  expect(service.stdout()).toContain('"msg":"stopped"');
  expect(isAlive(nodePid)).toBe(false);
}

describe('the image start command', () => {
  it.skipIf(!tiniInstalled)('ENTRYPOINT + CMD as written: tini passes SIGTERM to node, which drains and exits 0, and tini exits 0', async () => {
    started = await run([...entrypoint, ...command], { JWT_SECRET: secret });
    const [nodePid] = childrenOf(started.child.pid!);
    expect(readFileSync(`/proc/${nodePid}/cmdline`, 'utf8').split('\0').filter(Boolean)).toEqual(command);
    expect(readlinkSync(`/proc/${nodePid}/exe`)).toBe(realpathSync(process.execPath));
    await stopsOnSigterm(started, nodePid!);
  });

  it('CMD alone (node as the signalled process, as under `docker run --init`): drains and exits 0', async () => {
    started = await run(command, { JWT_SECRET: secret });
    // No src/ in the image: the service ran from the bundle, so tsx was never loaded.
    expect(existsSync(join(layout!, workdir, 'src'))).toBe(false);
    await stopsOnSigterm(started, started.child.pid!);
  });

  it('refuses to start under the image ENV (NODE_ENV=production) without a token secret, naming the variables', async () => {
    await expect(run(command, {})).rejects.toThrow(/exited 1 before listening: .*JWT_SECRET/s);
  });
});
