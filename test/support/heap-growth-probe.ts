// Run by test/cli/heap-growth.test.ts in a node of its own: the same allocation twice, with and
// without serve's bound on heap growth, counting V8's full (major) collections. A steady live set
// and garbage that lives long enough to be promoted, as a loaded server's closed streams do.
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import { boundHeapGrowth } from '../../src/cli/heap-growth.ts';

if (process.argv[2] === 'bound') boundHeapGrowth([]);
let majorCollections = 0;
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if ((entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majorCollections += 1;
  }
});
observer.observe({ entryTypes: ['gc'] });

const live = Array.from({ length: 80_000 }, (_, i) => ({ i, text: `${'x'.repeat(64)}${i}` }));
let promoted: Array<{ round: number; payload: number[] }> = [];
for (let round = 0; round < 3_000_000; round++) {
  promoted.push({ round, payload: new Array<number>(16).fill(round) });
  if (promoted.length > 200_000) promoted = [];
}
// GC entries are delivered asynchronously.
setTimeout(() => {
  observer.disconnect();
  process.stdout.write(`${JSON.stringify({ majorCollections, live: live.length })}\n`);
}, 50);
