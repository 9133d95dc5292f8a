// Starts the Node drivers in processes of their own and reads back their one JSON line.
import { join } from 'node:path';
import type { RunFigures } from '../latency.ts';
import { baseEnvironment, runToEnd } from '../processes.ts';
import type { GetItemOptions } from './dynamo-get-item.ts';
import type { DriverOptions } from './grpc-driver.ts';

const here = new URL('.', import.meta.url).pathname;

async function runDriver(file: string, options: object): Promise<RunFigures & { failures?: Record<string, number> }> {
  // Options (a bearer token among them) travel in the environment, not on the command line `ps` shows.
  const stdout = await runToEnd(process.execPath, ['--import', 'tsx', join(here, file)], {
    env: { ...baseEnvironment(), BENCH_OPTIONS: JSON.stringify(options) },
    cwd: join(here, '../..'),
  });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as RunFigures;
}

/** The gRPC driver (grpc-driver.ts) with `options`. */
export function runGrpcDriver(options: DriverOptions): Promise<RunFigures & { failures?: Record<string, number> }> {
  return runDriver('grpc-driver.ts', options);
}

/** The bare GetItem loop (dynamo-get-item.ts) with `options`. */
export function runGetItemLoop(options: GetItemOptions): Promise<RunFigures> {
  return runDriver('dynamo-get-item.ts', options);
}
