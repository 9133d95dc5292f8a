// Issue 10: serve fixes V8's old-generation growth at 50 % unless node's command line set it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { heapGrowingPercentIn } from '../../src/cli/heap-growth.ts';

const probe = new URL('../support/heap-growth-probe.ts', import.meta.url).pathname;

async function majorCollections(mode: 'bound' | 'adaptive'): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', probe, mode]);
  return (JSON.parse(stdout) as { majorCollections: number }).majorCollections;
}

describe('the bound, set while the process runs', () => {
  // V8 reads the flag at every collection: the same allocation gets several times as many full
  // collections (each one with less garbage to finalize) as with V8's adaptive growth
  // (Node 20: 14 against 4; Node 24: 8 against 3-4).
  it('makes full collections come more often for the same allocation', async () => {
    const [bound, adaptive] = await Promise.all([majorCollections('bound'), majorCollections('adaptive')]);
    expect(adaptive).toBeGreaterThan(0);
    expect(bound).toBeGreaterThanOrEqual(adaptive * 1.5);
  });
});

describe('the --heap-growing-percent an operator gave node', () => {
  it.each([
    [['--heap-growing-percent=30'], 30],
    [['--heap_growing_percent=0'], 0],
    [['--heap-growing-percent', '75'], 75],
    [['--enable-source-maps', '--heap-growing-percent=20', '--max-old-space-size=512'], 20],
    [['--heap-growing-percent=10', '--heap-growing-percent=40'], 40],
  ])('%j → %d', (execArgv, expected) => {
    expect(heapGrowingPercentIn(execArgv)).toBe(expected);
  });

  it.each([[[]], [['--max-semi-space-size=32']], [['--heap-growing-percent=-1']], [['--heap-growing-percent=lots']], [['--heap-growing-percentage=5']]])(
    '%j → none (videosvc sets its own)',
    (execArgv) => {
      expect(heapGrowingPercentIn(execArgv)).toBeUndefined();
    },
  );
});
