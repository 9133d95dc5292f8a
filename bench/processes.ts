// Child processes of the bench: every server, the load generators and dynalite run in
// processes of their own, so none shares an event loop (or a CPU count) with another.
// A server writes its stdout straight into a file (nothing relays it during a run), and
// announces itself with a JSON line {"msg":"listening","url":…}, as videosvc does.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';

/** A running server process. */
export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  /** The fields of its `listening` line (url, and whatever else it announced). */
  readonly announced: Readonly<Record<string, unknown>>;
  readonly url: string;
  /** Where its stdout goes. */
  readonly stdoutFile: string;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ChildProcess>();

/** Kills every child still running (on a failure or Ctrl-C of the bench). */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** A minimal environment: children never inherit the caller's VIDEO_STORE, limits or AWS settings by accident. */
export function baseEnvironment(): NodeJS.ProcessEnv {
  const { PATH, HOME, TMPDIR, LANG } = process.env;
  return { PATH, HOME, TMPDIR, LANG, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

function listeningLine(stdoutFile: string): Record<string, unknown> | undefined {
  for (const line of readFileSync(stdoutFile, 'utf8').split('\n')) {
    if (!line.includes('"listening"')) continue;
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (parsed.msg === 'listening' && typeof parsed.url === 'string') return parsed;
    } catch {
      // a partly written line: read again on the next poll
    }
  }
  return undefined;
}

/** Starts `command args` and resolves once its `listening` line is in `stdoutFile`. */
export async function startServer(options: {
  name: string;
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdoutFile: string;
  startTimeoutMs?: number;
}): Promise<ServerProcess> {
  const stdout = openSync(options.stdoutFile, 'w');
  const child = spawn(options.command, options.args, { cwd: options.cwd, env: options.env, stdio: ['ignore', stdout, 'pipe'] });
  closeSync(stdout);
  running.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    const announced = listeningLine(options.stdoutFile);
    if (announced !== undefined) {
      return {
        name: options.name,
        pid: child.pid!,
        announced,
        url: announced.url as string,
        stdoutFile: options.stdoutFile,
        async stop(graceMs = 15_000) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          await exited(child);
          clearTimeout(timer);
          running.delete(child);
        },
      };
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      running.delete(child);
      throw new Error(`${options.name} exited before listening (${child.exitCode ?? child.signalCode}): ${stderr.trim()}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      running.delete(child);
      throw new Error(`${options.name} did not announce "listening" within ${options.startTimeoutMs ?? 60_000} ms: ${stderr.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs `command args` to its end; resolves with its stdout, rejects with its stderr on a non-zero exit. */
export function runToEnd(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? baseEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-8000)));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      running.delete(child);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} ${args.join(' ')} failed (${code ?? signal}): ${stderr.trim() || stdout.trim().slice(-2000)}`));
    });
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc; undefined where /proc is absent. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after "pid (comm) ".
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Resident memory in MB (10^6 bytes), from /proc; undefined where /proc is absent. */
export function rssMB(pid: number): number | undefined {
  try {
    // /proc says "kB" and means KiB.
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round((Number(match[1]) * 1024) / 1e5) / 10 : undefined;
  } catch {
    return undefined;
  }
}
