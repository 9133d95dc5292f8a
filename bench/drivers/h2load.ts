// h2load (Debian/Ubuntu: apt-get install nghttp2-client) as the load generator, in its
// own process: fixed concurrency (connections × streams), a warm-up, a timed window,
// one pre-encoded body for every request. h2load prints only mean/sd/max latency, so
// percentiles come from its --log-file (one line per request: start time µs, status,
// µs until the response ended), which holds exactly the requests of the timed window.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runToEnd } from '../processes.ts';
import { summarise, type RunFigures } from '../latency.ts';

/** One h2load run. */
export interface H2loadRun {
  readonly url: string;
  readonly path: string;
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  readonly connections: number;
  /** Concurrent streams per connection (HTTP/2); ignored with http1, where each connection has one request in flight. */
  readonly streams: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  /** Send exactly this many requests (h2load -n) instead of a warm-up and a timed window. */
  readonly requests?: number;
  /** Requests per second per connection (h2load --rps); unlimited when absent. */
  readonly ratePerConnection?: number;
  readonly http1?: boolean;
  /** A directory for the body and log files. */
  readonly scratch: string;
}

export const h2loadInstallHint = 'h2load not found: install it with `sudo apt-get install nghttp2-client` (Debian/Ubuntu) or `brew install nghttp2` (macOS)';

/** The h2load version line, or throws with how to install it. */
export function h2loadVersion(): string {
  const result = spawnSync('h2load', ['--version'], { encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) throw new Error(h2loadInstallHint);
  return result.stdout.trim();
}

let runCount = 0;

function count(output: string, pattern: RegExp): number {
  return Number(pattern.exec(output)?.[1] ?? Number.NaN);
}

/** Runs h2load once and returns its figures; throws if h2load fails or reports errors it cannot count as failures. */
export async function h2load(run: H2loadRun): Promise<RunFigures & { command: string }> {
  runCount += 1;
  const bodyFile = join(run.scratch, `body-${runCount}.bin`);
  const logFile = join(run.scratch, `h2load-${runCount}.tsv`);
  writeFileSync(bodyFile, run.body);
  const args = [
    '-t', '1',
    '-c', String(run.connections),
    '-m', String(run.http1 ? 1 : run.streams),
    ...(run.requests === undefined ? [`--warm-up-time=${run.warmupSeconds}`, '-D', String(run.seconds)] : ['-n', String(run.requests)]),
    '-d', bodyFile,
    `--log-file=${logFile}`,
    ...Object.entries(run.headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]),
    ...(run.ratePerConnection === undefined ? [] : [`--rps=${run.ratePerConnection}`]),
    ...(run.http1 ? ['--h1'] : []),
    `${run.url}${run.path}`,
  ];
  try {
    const output = await runToEnd('h2load', args);
    const succeeded = count(output, /requests: .*? (\d+) succeeded/);
    const failed = count(output, /(\d+) failed/) + count(output, /(\d+) errored/) + count(output, /(\d+) timeout/);
    if (!Number.isFinite(succeeded)) throw new Error(`cannot read h2load's output:\n${output}`);
    const latencies = readLatencies(logFile);
    const seconds = run.requests === undefined ? run.seconds : count(output, /finished in ([\d.]+)s/);
    const figures = summarise(latencies, seconds, failed);
    const shown = args.map((arg) => (arg.startsWith('authorization:') ? 'authorization: Bearer …' : arg));
    return { ...figures, command: `h2load ${shown.map((arg) => (/\s/.test(arg) ? `'${arg}'` : arg)).join(' ')}` };
  } finally {
    rmSync(bodyFile, { force: true });
    rmSync(logFile, { force: true });
  }
}

// Column 3 of the log: microseconds from the request's start to the end of its response.
function readLatencies(logFile: string): Float64Array {
  const text = readFileSync(logFile, 'utf8');
  const lines = text.split('\n');
  const latencies = new Float64Array(lines.length);
  let n = 0;
  for (const line of lines) {
    const tab = line.lastIndexOf('\t');
    if (tab < 0) continue;
    latencies[n++] = Number(line.slice(tab + 1));
  }
  return latencies.subarray(0, n);
}
