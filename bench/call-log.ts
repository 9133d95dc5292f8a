// Counts the codes in videosvc's call log (SPEC §6: one line per call with procedure and
// code) written during a timed run, so a run in which calls failed says so even where
// the load generator cannot see gRPC codes (h2load counts HTTP 200 as success).
import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** Calls logged per code, e.g. { ok: 20000, unavailable: 3 }. */
export type CodeCounts = Record<string, number>;

/** The log's size now: pass it to `codesSince` after the run. */
export function logMark(file: string): number {
  return statSync(file).size;
}

/** The codes of the call lines appended to `file` since `mark`. */
export function codesSince(file: string, mark: number): CodeCounts {
  const size = statSync(file).size;
  const buffer = Buffer.alloc(size - mark);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, mark);
  } finally {
    closeSync(fd);
  }
  const counts: CodeCounts = {};
  // A regex per line rather than JSON.parse: hundreds of thousands of lines per run.
  const code = /"code":"([a-z_]+)"/g;
  for (const match of buffer.toString('utf8').matchAll(code)) counts[match[1]!] = (counts[match[1]!] ?? 0) + 1;
  return counts;
}
