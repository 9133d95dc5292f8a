// The progress reporter behind migrate and the backfills: nothing during the first second,
// then the latest count and rate at most once a second, and nothing after stop().
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { reportProgress } from '../../src/cli/progress.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-29T12:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('reportProgress', () => {
  it('says nothing in the first second, then the latest count and rate once a second, and nothing after stop', () => {
    const lines: string[] = [];
    const progress = reportProgress('migrate', 'videos', { write: (line) => lines.push(line) });
    for (let done = 1; done <= 500; done++) progress.update(done, `${done} videos done`);
    vi.advanceTimersByTime(999);
    expect(lines).toEqual([]);

    vi.advanceTimersByTime(1);
    expect(lines).toEqual(['migrate: 500 videos done; 1 s, 500 videos/s\n']);

    // Many updates within the next second still give one line, with the latest counts.
    for (let done = 501; done <= 3_000; done++) progress.update(done, `${done} videos done`);
    vi.advanceTimersByTime(999);
    expect(lines).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(lines[1]).toBe('migrate: 3000 videos done; 2 s, 1500 videos/s\n');

    // No progress for a while: still a line a second, the rate falling.
    vi.advanceTimersByTime(2_000);
    expect(lines.slice(2)).toEqual(['migrate: 3000 videos done; 3 s, 1000 videos/s\n', 'migrate: 3000 videos done; 4 s, 750 videos/s\n']);

    progress.stop();
    vi.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(4);
  });

  it('before any update, counts zero', () => {
    const lines: string[] = [];
    const progress = reportProgress('backfill-work', 'videos', { write: (line) => lines.push(line) });
    vi.advanceTimersByTime(1_000);
    progress.stop();
    expect(lines).toEqual(['backfill-work: 0 videos; 1 s, 0 videos/s\n']);
  });

  it('a run stopped within its first second prints nothing', () => {
    const lines: string[] = [];
    const progress = reportProgress('backfill-status', 'videos', { write: (line) => lines.push(line) });
    progress.update(10, '10 videos read');
    vi.advanceTimersByTime(900);
    progress.stop();
    vi.advanceTimersByTime(5_000);
    expect(lines).toEqual([]);
  });
});
