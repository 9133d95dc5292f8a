// Runs test/support/sqlite-child.ts as a separate node process (optionally as another
// user), for tests that need a second process on one SQLite file.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const childScript = fileURLToPath(new URL('./sqlite-child.ts', import.meta.url));

export interface ChildResult {
  /** Every line it printed on stdout. */
  readonly lines: string[];
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

export interface RunningChild {
  readonly process: ChildProcess;
  /** Resolves when it printed `line`. */
  printed(line: string): Promise<void>;
  readonly done: Promise<ChildResult>;
}

/** Starts `sqlite-child.ts <mode> <path> [arg]`; `uid` runs it as that user (needs root). */
export function startSqliteChild(mode: string, path: string, arg?: string, uid?: number): RunningChild {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, mode, path, ...(arg === undefined ? [] : [arg])], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(uid === undefined ? {} : { uid, gid: uid }),
  });
  const lines: string[] = [];
  let stderr = '';
  const waiters: Array<{ line: string; resolve: () => void }> = [];
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.line === line)) waiter.resolve();
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<ChildResult>((resolve) =>
    child.on('close', (exitCode, signal) => resolve({ lines, exitCode, signal, stderr })),
  );
  return {
    process: child,
    done,
    printed: (line) =>
      lines.includes(line)
        ? Promise.resolve()
        : Promise.race([
            new Promise<void>((resolve) => waiters.push({ line, resolve })),
            done.then((result) => {
              throw new Error(`the child ended without printing "${line}": ${JSON.stringify(result)}`);
            }),
          ]),
  };
}
