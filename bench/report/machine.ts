// What a figure was measured on: the machine, the software, the commit, and how busy
// the machine was (load average), since a shared machine's figures move with it.
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGB: number;
  readonly os: string;
  readonly node: string;
  readonly h2load: string;
  readonly commit: string;
  /** True when the work tree had changes the commit does not hold (reports in bench/results aside). */
  readonly uncommittedChanges: boolean;
  readonly loadAverageAtStart: readonly number[];
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

/** The machine and software this run is on. */
export function describeMachine(h2loadVersion: string): Machine {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGB: Math.round(os.totalmem() / 1e8) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    h2load: h2loadVersion,
    commit: git(['rev-parse', 'HEAD']),
    uncommittedChanges: git(['status', '--porcelain', '--untracked-files=no', '--', '.', ':!bench/results']) !== '',
    loadAverageAtStart: os.loadavg().map((load) => Math.round(load * 100) / 100),
  };
}
