import { afterEach, describe, expect, it, vi } from 'vitest';
import { openTokenSecretRing } from '../../src/app/token-secret-ring.ts';
import type { TokenSecretSource, TokenSecrets } from '../../src/domain/ports.ts';

const bytes = (value: string) => new TextEncoder().encode(value);

/** A source whose answer tests change; counts loads; fails while `failure` is set. */
function scriptedSource(initial: { current: string; previous?: string }) {
  let value = initial;
  let failure: Error | undefined;
  let gate: Promise<void> | undefined;
  const state = {
    loads: 0,
    set(next: { current: string; previous?: string }) {
      value = next;
    },
    fail(error: Error | undefined) {
      failure = error;
    },
    hold(promise: Promise<void> | undefined) {
      gate = promise;
    },
    source: {
      async load(): Promise<TokenSecrets> {
        state.loads += 1;
        await gate;
        if (failure !== undefined) throw failure;
        // Fresh arrays every time, as a real source returns: identity must come from bytes.
        return value.previous === undefined
          ? { current: bytes(value.current) }
          : { current: bytes(value.current), previous: bytes(value.previous) };
      },
    } satisfies TokenSecretSource,
  };
  return state;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('token secret ring', () => {
  it('loads once at start and a start-up failure propagates', async () => {
    const scripted = scriptedSource({ current: 'a'.repeat(32) });
    const ring = await openTokenSecretRing(scripted.source, { refreshIntervalMs: 0 });
    expect(scripted.loads).toBe(1);
    expect(ring.secrets().current).toEqual(bytes('a'.repeat(32)));
    ring.close();

    scripted.fail(new Error('secret videosvc/jwt not found'));
    await expect(openTokenSecretRing(scripted.source)).rejects.toThrow('secret videosvc/jwt not found');
  });

  it('returns the same object until the bytes change, and true exactly when they did', async () => {
    let now = 0;
    const scripted = scriptedSource({ current: 'a'.repeat(32) });
    const ring = await openTokenSecretRing(scripted.source, { clock: () => now, minRefreshGapMs: 10, refreshIntervalMs: 0 });
    const first = ring.secrets();

    now = 10;
    expect(await ring.refreshAfterFailure()).toBe(false);
    expect(ring.secrets()).toBe(first);

    scripted.set({ current: 'b'.repeat(32), previous: 'a'.repeat(32) });
    now = 20;
    expect(await ring.refreshAfterFailure()).toBe(true);
    expect(ring.secrets()).not.toBe(first);
    expect(ring.secrets().previous).toEqual(bytes('a'.repeat(32)));
    expect(Object.isFrozen(ring.secrets())).toBe(true);
    ring.close();
  });

  it('re-reads on demand at most once per gap', async () => {
    let now = 0;
    const scripted = scriptedSource({ current: 'a'.repeat(32) });
    const ring = await openTokenSecretRing(scripted.source, { clock: () => now, minRefreshGapMs: 10_000, refreshIntervalMs: 0 });

    now = 9_999;
    expect(await ring.refreshAfterFailure()).toBe(false);
    expect(scripted.loads).toBe(1);
    now = 10_000;
    await ring.refreshAfterFailure();
    expect(scripted.loads).toBe(2);
    now = 15_000;
    await ring.refreshAfterFailure();
    expect(scripted.loads).toBe(2);
    ring.close();
  });

  it('failures arriving together share one read', async () => {
    let now = 0;
    const scripted = scriptedSource({ current: 'a'.repeat(32) });
    const ring = await openTokenSecretRing(scripted.source, { clock: () => now, minRefreshGapMs: 10, refreshIntervalMs: 0 });
    scripted.set({ current: 'b'.repeat(32) });
    let release!: () => void;
    scripted.hold(new Promise<void>((resolve) => (release = resolve)));
    now = 100;
    const answers = Array.from({ length: 5 }, () => ring.refreshAfterFailure());
    release();
    expect(await Promise.all(answers)).toEqual([true, true, true, true, true]);
    expect(scripted.loads).toBe(2);
    ring.close();
  });

  it('a failed refresh keeps the last good secrets and is reported, never thrown', async () => {
    let now = 0;
    const reported: unknown[] = [];
    const scripted = scriptedSource({ current: 'a'.repeat(32) });
    const ring = await openTokenSecretRing(scripted.source, {
      clock: () => now,
      minRefreshGapMs: 10,
      refreshIntervalMs: 0,
      onRefreshError: (error) => {
        reported.push(error);
        throw new Error('a broken reporter');
      },
    });
    const good = ring.secrets();
    scripted.fail(new Error('cannot reach Secrets Manager'));
    now = 10;
    expect(await ring.refreshAfterFailure()).toBe(false);
    expect(ring.secrets()).toBe(good);
    expect(reported).toEqual([new Error('cannot reach Secrets Manager')]);
    ring.close();
  });

  it('refreshes periodically in the background, survives a failed round, and stops on close', async () => {
    vi.useFakeTimers();
    const reported: unknown[] = [];
    const scripted = scriptedSource({ current: 'a'.repeat(32) });
    const ring = await openTokenSecretRing(scripted.source, {
      refreshIntervalMs: 60_000,
      onRefreshError: (error) => reported.push(error),
    });

    scripted.fail(new Error('throttled'));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(scripted.loads).toBe(2);
    expect(reported).toHaveLength(1);
    expect(ring.secrets().current).toEqual(bytes('a'.repeat(32)));

    scripted.fail(undefined);
    scripted.set({ current: 'c'.repeat(32) });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ring.secrets().current).toEqual(bytes('c'.repeat(32)));

    ring.close();
    await vi.advanceTimersByTimeAsync(180_000);
    expect(scripted.loads).toBe(3);
    expect(await ring.refreshAfterFailure()).toBe(false);
    expect(scripted.loads).toBe(3);
  });
});
