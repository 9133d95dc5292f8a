// Progress of a long-running command on stderr (issue 12; SPEC §7 asks it of backfill-work):
// the count so far and the rate, at most once a second, and only once the command has run
// for a second, so a quick run prints nothing but its result. A timer writes the latest
// counts rather than each update writing, so a run stuck on one slow page still shows it is
// alive (its rate falls), and a fast run cannot flood the terminal.

export interface ProgressOptions {
  /** Where the lines go; stderr by default, since stdout carries only the result. */
  readonly write?: (line: string) => void;
  /** Time between lines, and before the first one. */
  readonly intervalMs?: number;
}

export interface ProgressReporter {
  /** Records the latest counts: `count` (in the reporter's unit) gives the rate, `detail` says what was done. */
  update(count: number, detail: string): void;
  /** Stops the lines; call it however the command ends. */
  stop(): void;
}

export const progressIntervalMs = 1_000;

/**
 * Starts reporting for `label` (e.g. `backfill-work`), counting in `unit` (e.g. `videos`).
 * A line reads `backfill-work: 2400 videos read, 300 updated; 2 s, 1200 videos/s`.
 */
export function reportProgress(label: string, unit: string, options: ProgressOptions = {}): ProgressReporter {
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const intervalMs = options.intervalMs ?? progressIntervalMs;
  const startedAt = Date.now();
  let count = 0;
  let detail = `0 ${unit}`;
  const timer = setInterval(() => {
    const elapsedSeconds = (Date.now() - startedAt) / 1_000;
    write(`${label}: ${detail}; ${Math.round(elapsedSeconds)} s, ${Math.round(count / elapsedSeconds)} ${unit}/s\n`);
  }, intervalMs);
  // Never the reason the process stays up, even if a path forgets stop().
  timer.unref();
  return {
    update(latestCount, latestDetail) {
      count = latestCount;
      detail = latestDetail;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
