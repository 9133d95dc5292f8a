// The log destination writes each event-loop turn's lines in one write, and loses no
// pending line at a normal exit (issue 10: one write per call-log line was 7 % of a call).
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { batchedDestination } from '../../src/adapters/log-destination.ts';

const scratch = mkdtempSync(join(tmpdir(), 'videosvc-log-destination-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('batchedDestination', () => {
  it('writes the lines of one turn together at its end, and a lone line at the end of its own turn', async () => {
    const file = join(scratch, 'turns.log');
    const fd = openSync(file, 'w');
    try {
      const destination = batchedDestination(fd);
      destination.write('one\n');
      destination.write('two\n');
      destination.write('three\n');
      expect(readFileSync(file, 'utf8')).toBe('');
      await turn();
      expect(readFileSync(file, 'utf8')).toBe('one\ntwo\nthree\n');
      destination.write('four\n');
      await turn();
      expect(readFileSync(file, 'utf8')).toBe('one\ntwo\nthree\nfour\n');
      destination.write('five\n');
      destination.flushSync();
      expect(readFileSync(file, 'utf8')).toBe('one\ntwo\nthree\nfour\nfive\n');
    } finally {
      closeSync(fd);
    }
  });

  it('writes the pending lines to stdout when the process exits through process.exit in the same turn', () => {
    const file = join(scratch, 'exit.log');
    const fd = openSync(file, 'w');
    const program = `
      const { batchedDestination } = await import(${JSON.stringify(new URL('../../src/adapters/log-destination.ts', import.meta.url).href)});
      const destination = batchedDestination(1);
      for (let i = 0; i < 1000; i++) destination.write('line ' + i + '\\n');
      process.exit(3);`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], { stdio: ['ignore', fd, 'inherit'] });
    closeSync(fd);
    expect(child.status).toBe(3);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1000);
    expect(lines[999]).toBe('line 999');
  });
});
