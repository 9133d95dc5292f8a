import { describe, expect, it } from 'vitest';
import { IllegalTransition } from '../../src/domain/errors.ts';
import { allowedFrom, assertTransition, canTransition } from '../../src/domain/lifecycle.ts';
import { videoStatuses, type VideoStatus } from '../../src/domain/video.ts';

// SPEC §2, written out as every (from, to) pair so each edge is checked both ways.
const allowed: Record<VideoStatus, VideoStatus[]> = {
  UPLOADED: ['UPLOADED', 'TRANSCODING', 'TRANSCODED', 'FAILED'],
  TRANSCODING: ['TRANSCODING', 'TRANSCODED', 'FAILED', 'UPLOADED'],
  TRANSCODED: ['TRANSCODED', 'COMPLETED', 'FAILED'],
  FAILED: ['FAILED', 'UPLOADED'],
  COMPLETED: ['COMPLETED'],
};

describe('status lifecycle', () => {
  const pairs = videoStatuses.flatMap((from) => videoStatuses.map((to) => [from, to] as const));

  it.each(pairs)('%s → %s follows the SPEC table', (from, to) => {
    const expected = allowed[from].includes(to);
    expect(canTransition(from, to)).toBe(expected);
    if (expected) {
      expect(() => assertTransition(from, to)).not.toThrow();
    } else {
      expect(() => assertTransition(from, to)).toThrow(IllegalTransition);
      expect(() => assertTransition(from, to)).toThrow(`status: cannot change from ${from} to ${to}`);
    }
  });

  it('COMPLETED is terminal: nothing but itself is reachable from it', () => {
    expect(videoStatuses.filter((to) => canTransition('COMPLETED', to))).toEqual(['COMPLETED']);
  });

  it.each(videoStatuses)('allowedFrom(%s) lists exactly the states that may move to it', (to) => {
    const expected = videoStatuses.filter((from) => allowed[from].includes(to));
    expect([...allowedFrom(to)].sort()).toEqual([...expected].sort());
  });

  it('a worker claim UPLOADED → TRANSCODING is allowed only from UPLOADED or TRANSCODING', () => {
    expect([...allowedFrom('TRANSCODING')].sort()).toEqual(['TRANSCODING', 'UPLOADED']);
  });

  it('the illegal transition error carries both states', () => {
    try {
      assertTransition('COMPLETED', 'UPLOADED');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(IllegalTransition);
      expect((error as IllegalTransition).from).toBe('COMPLETED');
      expect((error as IllegalTransition).to).toBe('UPLOADED');
    }
  });
});
