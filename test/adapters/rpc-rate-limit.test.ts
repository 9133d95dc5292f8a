// The token buckets behind per-caller rate limits: refill arithmetic, the delay a refused
// call is told, and a bucket map that stays bounded however many callers come and go.
import { describe, expect, it } from 'vitest';
import { createCallerRateLimiter } from '../../src/adapters/rpc/rate-limit.ts';

describe('createCallerRateLimiter', () => {
  it('serves a burst, then refuses with the milliseconds until the next call is available', () => {
    let nowMs = 0;
    const limiter = createCallerRateLimiter({ perSecond: 4, burst: 2, now: () => nowMs });
    expect([limiter.take('alice'), limiter.take('alice')]).toEqual([0, 0]);
    expect(limiter.take('alice')).toBe(250);
    nowMs = 100;
    expect(limiter.take('alice')).toBe(150);
    nowMs = 250;
    expect(limiter.take('alice')).toBe(0);
    expect(limiter.take('alice')).toBe(250);
  });

  it('keeps callers apart: one empty bucket does not touch another', () => {
    const limiter = createCallerRateLimiter({ perSecond: 1, burst: 1, now: () => 0 });
    expect(limiter.take('noisy')).toBe(0);
    expect(limiter.take('noisy')).toBe(1000);
    expect(limiter.take('quiet')).toBe(0);
  });

  it('never refills beyond the burst, however long a caller rested', () => {
    let nowMs = 0;
    const limiter = createCallerRateLimiter({ perSecond: 10, burst: 3, now: () => nowMs });
    limiter.take('alice');
    nowMs = 3_600_000;
    expect([0, 1, 2, 3].map(() => limiter.take('alice'))).toEqual([0, 0, 0, 100]);
  });

  it('is off at 0 calls per second', () => {
    const limiter = createCallerRateLimiter({ perSecond: 0, burst: 1, now: () => 0 });
    for (let i = 0; i < 100; i++) expect(limiter.take('alice')).toBe(0);
    expect(limiter.size).toBe(0);
  });

  it('drops idle full buckets, so 100 000 callers passing through leave a handful behind', () => {
    let nowMs = 0;
    const limiter = createCallerRateLimiter({ perSecond: 10, burst: 5, now: () => nowMs });
    let largest = 0;
    for (let i = 0; i < 100_000; i++) {
      nowMs += 1; // one new caller per millisecond; a used bucket is full again 100 ms later
      limiter.take(`caller${i}`);
      largest = Math.max(largest, limiter.size);
    }
    expect(largest).toBeLessThanOrEqual(110);
  });

  it('holds at most maxBuckets even when no bucket is idle', () => {
    const limiter = createCallerRateLimiter({ perSecond: 1, burst: 5, maxBuckets: 1_000, now: () => 0 });
    for (let i = 0; i < 10_000; i++) limiter.take(`caller${i}`);
    expect(limiter.size).toBe(1_000);
  });
});
