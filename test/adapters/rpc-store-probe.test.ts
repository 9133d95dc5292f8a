// The readiness probe behind /readyz and Health: bounded in time, told its deadline, and
// shared by concurrent callers so a flood of probes runs the store's ping once.
import { describe, expect, it } from 'vitest';
import { storeReachable } from '../../src/adapters/rpc/store-probe.ts';
import type { StoreCallOptions } from '../../src/domain/ports.ts';

describe('store readiness probe', () => {
  it('100 concurrent probes of one store run its ping once and all get its answer', async () => {
    let pings = 0;
    let release!: () => void;
    const ping = (): Promise<void> => {
      pings += 1;
      return new Promise<void>((resolve) => (release = resolve));
    };
    const probes = Array.from({ length: 100 }, () => storeReachable(ping));
    release();
    expect(await Promise.all(probes)).toEqual(Array(100).fill(true));
    expect(pings).toBe(1);
    // Once settled, the next probe pings again: no stale answer is kept.
    const next = storeReachable(ping);
    release();
    expect(await next).toBe(true);
    expect(pings).toBe(2);
  });

  it('a ping that hangs reads as not ready at the timeout, and the ping is told that deadline', async () => {
    let seen: StoreCallOptions | undefined;
    const ping = (options?: StoreCallOptions): Promise<void> => {
      seen = options;
      return new Promise<void>(() => undefined);
    };
    const started = Date.now();
    expect(await storeReachable(ping, 100)).toBe(false);
    const tookMs = Date.now() - started;
    expect(tookMs).toBeGreaterThanOrEqual(95);
    expect(tookMs).toBeLessThan(400);
    expect(seen?.deadline).toBeGreaterThanOrEqual(started + 100);
    expect(seen?.deadline).toBeLessThanOrEqual(started + 150);
  });

  it('a failing ping reads as not ready', async () => {
    expect(await storeReachable(() => Promise.reject(new Error('down')))).toBe(false);
  });
});
