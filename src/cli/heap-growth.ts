// `videosvc serve` bounds how far V8 lets the old generation grow between full collections
// (issue 10). Every HTTP/2 request leaves garbage that only a full (mark-compact) collection
// frees: Node keeps each closed stream, and the native half behind it, until then, and makes
// every header value an external string, which V8 allocates straight into the old generation
// and finalizes one by one in the collection's pause. With V8's adaptive growth (up to 4×
// the live heap) a loaded service went 5-10 s between full collections, and each one then
// paused 50-170 ms, while the native memory waiting for it raised the process's high-water
// RSS (1.55× after 1 000 000 GetVideo calls against after the first 10 000). Growing by a fixed
// 50 % instead makes them come every ~1.4 s at 10 000 calls a second, pausing 16-24 ms, and
// RSS stays flat (0.97×), for ~4 % more CPU per call (README: "Decisions", and the fourth
// session under "Transport performance").
//
// The flag is one V8 reads at every collection, so setting it once the process runs takes
// effect from the next collection on. Node refuses it in NODE_OPTIONS, so an operator who
// wants another value puts it on node's command line (0 gives back V8's adaptive growth):
//   node --heap-growing-percent=0 bin/videosvc.mjs serve
import v8 from 'node:v8';

const defaultHeapGrowingPercent = 50;

/** How the old generation's growth was set, for the `listening` line. */
export interface HeapGrowth {
  /** V8's --heap-growing-percent; 0 is V8's own adaptive growth. */
  readonly growingPercent: number;
  readonly setBy: 'videosvc' | 'node command line';
}

// V8 accepts both spellings of a flag's words, and a value after `=` or as the next argument.
const flagPattern = /^--heap[-_]growing[-_]percent(?:=(.*))?$/;

/** The --heap-growing-percent given on node's command line (`execArgv`), if any. */
export function heapGrowingPercentIn(execArgv: readonly string[]): number | undefined {
  let found: number | undefined;
  execArgv.forEach((argument, index) => {
    const match = flagPattern.exec(argument);
    if (match === null) return;
    const value = Number(match[1] ?? execArgv[index + 1]);
    if (Number.isInteger(value) && value >= 0) found = value;
  });
  return found;
}

/**
 * Sets --heap-growing-percent to the default unless node's command line set it (V8 already
 * applied that one), and says which value is in force.
 */
export function boundHeapGrowth(execArgv: readonly string[] = process.execArgv): HeapGrowth {
  const given = heapGrowingPercentIn(execArgv);
  if (given !== undefined) return { growingPercent: given, setBy: 'node command line' };
  v8.setFlagsFromString(`--heap-growing-percent=${defaultHeapGrowingPercent}`);
  return { growingPercent: defaultHeapGrowingPercent, setBy: 'videosvc' };
}
