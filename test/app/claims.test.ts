// The claim use cases (SPEC §9) over a real store: who may claim, what a request may ask
// for, and the long poll (one shared poll, woken by local writes, bounded by the wait,
// the deadline, the client and the drain).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Claims, type ClaimCallBounds } from '../../src/app/claims.ts';
import { principalOf } from '../../src/app/principal.ts';
import { Videos } from '../../src/app/videos.ts';
import { systemClock } from '../../src/adapters/system/clock.ts';
import { uuidV7Ids } from '../../src/adapters/system/ids.ts';
import { SqliteVideoStore } from '../../src/adapters/sqlite/store.ts';
import { claimLimits } from '../../src/domain/claim.ts';
import { FailedPrecondition, InvalidArgument, NotFound, PermissionDenied, StoreUnavailable } from '../../src/domain/errors.ts';
import type { ClaimGrant, VideoStore } from '../../src/domain/ports.ts';
import type { Video } from '../../src/domain/video.ts';
import { rejection } from '../support/rejection.ts';

const alice = principalOf('alice', undefined);
const worker = principalOf('transcoder', 'videos:admin');

/** A store that counts claim attempts and can hold them or fail them. */
function countingStore(inner: VideoStore) {
  const state = {
    attempts: 0,
    grants: [] as ClaimGrant[],
    hold: undefined as Promise<void> | undefined,
    fail: undefined as Error | undefined,
    store: undefined as unknown as VideoStore,
  };
  const claimNext = async (grant: ClaimGrant) => {
    state.attempts += 1;
    state.grants.push(grant);
    if (state.hold !== undefined) await state.hold;
    if (state.fail !== undefined) throw state.fail;
    return inner.claimNext(grant);
  };
  state.store = new Proxy(inner, {
    get(target, property) {
      if (property === 'claimNext') return claimNext;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return state;
}

let inner: SqliteVideoStore;
let counted: ReturnType<typeof countingStore>;
let claims: Claims;
let videos: Videos;

function open(pollIntervalMs = 1000, maxAttempts = 3) {
  claims = new Claims(counted.store, systemClock, { maxAttempts, pollIntervalMs });
  videos = new Videos(counted.store, systemClock, uuidV7Ids, undefined, () => claims.wake());
}

beforeEach(async () => {
  inner = await SqliteVideoStore.open({ path: ':memory:' });
  counted = countingStore(inner);
  open();
});
afterEach(async () => {
  claims.stopWaiting();
  await inner.close();
});

function bounds(deadline?: number, signal?: AbortSignal): ClaimCallBounds {
  return { deadline, signal, storeOptions: () => ({ deadline: Date.now() + 5_000, signal }) };
}

const upload = (originalName = 'clip.mp4') =>
  videos.create(alice, { ownerId: '', videoId: '', videoIdInVideo: '', draft: { originalName } });

const claim = (input: Partial<{ workerId: string; leaseMs: number; waitMs: number }> = {}, callBounds = bounds()) =>
  claims.claim(worker, { workerId: 'w-1', leaseMs: 0, waitMs: 0, ...input }, callBounds);

const settledWithin = async <T>(promise: Promise<T>): Promise<{ value: T; ms: number }> => {
  const start = performance.now();
  const value = await promise;
  return { value, ms: performance.now() - start };
};

describe('ClaimVideo', () => {
  it('needs videos:admin, before anything else is looked at', async () => {
    expect(await rejection(claims.claim(alice, { workerId: '', leaseMs: -1, waitMs: 0 }, bounds()))).toBeInstanceOf(PermissionDenied);
    expect(counted.attempts).toBe(0);
  });

  it('refuses a bad worker id, lease or wait with INVALID_ARGUMENT naming the field', async () => {
    for (const [input, field] of [
      [{ workerId: '' }, 'worker_id'],
      [{ workerId: 'a b' }, 'worker_id'],
      [{ workerId: 'x'.repeat(claimLimits.workerIdMaxChars + 1) }, 'worker_id'],
      [{ leaseMs: 999 }, 'lease_duration'],
      [{ leaseMs: 3_600_001 }, 'lease_duration'],
      [{ leaseMs: -1_000 }, 'lease_duration'],
      [{ waitMs: 20_001 }, 'wait_duration'],
      [{ waitMs: -1 }, 'wait_duration'],
    ] as const) {
      const error = await rejection(claim(input));
      expect(error).toBeInstanceOf(InvalidArgument);
      expect(error.message).toContain(field);
    }
    expect(counted.attempts).toBe(0);
    // The edges are allowed.
    await upload();
    expect(await claim({ workerId: 'host-1.pool_a@eu:7-x', leaseMs: 3_600_000, waitMs: 20_000 })).toBeDefined();
  });

  it('claims for the worker with the default lease of 5 minutes; nothing claimable answers at once', async () => {
    const uploaded = await upload();
    const before = Date.now();
    const claimed = (await claim({ workerId: 'w-7' }))!;
    expect(claimed).toMatchObject({ videoId: uploaded.videoId, status: 'TRANSCODING', attemptCount: 1, claim: { workerId: 'w-7' } });
    const leaseMs = claimed.claim!.expireTime.getTime() - claimed.updateTime.getTime();
    expect(leaseMs).toBe(5 * 60_000);
    expect(claimed.updateTime.getTime()).toBeGreaterThanOrEqual(before);
    const { value, ms } = await settledWithin(claim());
    expect(value).toBeUndefined();
    expect(ms).toBeLessThan(100);
  });

  it('passes CLAIM_MAX_ATTEMPTS to the store', async () => {
    open(1000, 7);
    await claim();
    expect(counted.grants[0]!.maxAttempts).toBe(7);
  });
});

describe('RenewClaim', () => {
  it('extends the holder\'s claim by the lease from now; others and non-admins are refused', async () => {
    await upload();
    const claimed = (await claim({ workerId: 'w-1', leaseMs: 10_000 }))!;
    const key = { ownerId: claimed.ownerId, videoId: claimed.videoId };
    const renewed = await claims.renew(worker, { ...key, workerId: 'w-1', leaseMs: 60_000 });
    expect(renewed.claim!.expireTime.getTime() - renewed.updateTime.getTime()).toBe(60_000);
    expect(renewed.version).toBe(claimed.version + 1);
    const other = await rejection(claims.renew(worker, { ...key, workerId: 'w-2', leaseMs: 0 }));
    expect(other).toBeInstanceOf(FailedPrecondition);
    expect(other.message).toContain('w-2');
    expect(await rejection(claims.renew(alice, { ...key, workerId: 'w-1', leaseMs: 0 }))).toBeInstanceOf(PermissionDenied);
    expect(await rejection(claims.renew(worker, { ...key, workerId: 'w-1', leaseMs: 500 }))).toBeInstanceOf(InvalidArgument);
    expect(await rejection(claims.renew(worker, { ...key, videoId: 'not-a-uuid', workerId: 'w-1', leaseMs: 0 }))).toBeInstanceOf(InvalidArgument);
    const absent = { ownerId: 'alice', videoId: '01936f3e-7a4b-7c3d-8e2f-123456789abc' };
    expect(await rejection(claims.renew(worker, { ...absent, workerId: 'w-1', leaseMs: 0 }))).toBeInstanceOf(NotFound);
  });
});

describe('the long poll', () => {
  it('a video created through this process wakes a waiting call at once', async () => {
    const waiting = settledWithin(claim({ waitMs: 5_000 }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(claims.waiting()).toBe(1);
    const uploaded = await upload();
    const { value, ms } = await waiting;
    expect(value?.videoId).toBe(uploaded.videoId);
    // Woken, not found by the next poll a second after the first.
    expect(ms).toBeLessThan(600);
  });

  it('a give-back and a retry through this process wake waiting calls too', async () => {
    await upload();
    const held = (await claim({ workerId: 'w-1' }))!;
    const waiting = settledWithin(claim({ workerId: 'w-2', waitMs: 5_000 }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await videos.update(worker, { ownerId: held.ownerId, videoId: held.videoId, etag: '', draft: { status: 'UPLOADED' }, paths: ['status'] });
    const { value, ms } = await waiting;
    expect(value).toMatchObject({ videoId: held.videoId, claim: { workerId: 'w-2' }, attemptCount: 2 });
    expect(ms).toBeLessThan(600);
  });

  it('50 waiting calls share one store poll per interval', async () => {
    open(250);
    const calls = Array.from({ length: 50 }, (_, i) => claim({ workerId: `w-${i}`, waitMs: 1_600 }));
    const results = await Promise.all(calls);
    expect(results.every((video) => video === undefined)).toBe(true);
    // The first call's own attempt, then one poll every 250 ms for 1.6 s: about 8, never one per call.
    expect(counted.attempts).toBeGreaterThanOrEqual(5);
    expect(counted.attempts).toBeLessThanOrEqual(9);
  });

  it('a video that becomes claimable elsewhere is found by the next poll, and each waiting call gets its own', async () => {
    open(200);
    const calls = Array.from({ length: 3 }, (_, i) => claim({ workerId: `w-${i}`, waitMs: 3_000 }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Written behind this Claims' back (another replica): no wake.
    const created = await Promise.all([1, 2, 3].map(() => new Videos(inner, systemClock, uuidV7Ids).create(alice, { ownerId: '', videoId: '', videoIdInVideo: '', draft: { originalName: 'elsewhere.mp4' } })));
    const results = await Promise.all(calls.map((call) => settledWithin(call)));
    expect(results.map(({ value }) => value?.claim?.workerId)).toEqual(['w-0', 'w-1', 'w-2']);
    expect(new Set(results.map(({ value }) => value?.videoId))).toEqual(new Set(created.map((video) => video.videoId)));
    for (const { ms } of results) expect(ms).toBeLessThan(1_000);
  });

  it('never outlasts the client\'s deadline, and a client that goes away stops waiting', async () => {
    // The wait ends a margin (200 ms) before the deadline, so the empty answer still arrives in time.
    const deadline = Date.now() + 600;
    const { value, ms } = await settledWithin(claim({ waitMs: 20_000 }, bounds(deadline)));
    expect(value).toBeUndefined();
    expect(Date.now()).toBeLessThan(deadline);
    expect(ms).toBeGreaterThan(300);
    const gone = new AbortController();
    const waiting = settledWithin(claim({ waitMs: 20_000 }, bounds(undefined, gone.signal)));
    setTimeout(() => gone.abort(), 100);
    expect((await waiting).ms).toBeLessThan(500);
    expect(claims.waiting()).toBe(0);
  });

  it('a drain answers every waiting call at once with no video, and later calls do not wait', async () => {
    const calls = Array.from({ length: 5 }, () => settledWithin(claim({ waitMs: 20_000 })));
    await new Promise((resolve) => setTimeout(resolve, 50));
    claims.stopWaiting();
    for (const { value, ms } of await Promise.all(calls)) {
      expect(value).toBeUndefined();
      expect(ms).toBeLessThan(300);
    }
    const after = await settledWithin(claim({ waitMs: 20_000 }));
    expect(after.value).toBeUndefined();
    expect(after.ms).toBeLessThan(100);
  });

  it('a call is answered when its wait ends even while its store attempt is slow; what that attempt claims goes back to the queue', async () => {
    let release!: () => void;
    const started = performance.now();
    const waiting = claim({ workerId: 'w-late', waitMs: 200 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    counted.hold = new Promise<void>((resolve) => (release = resolve));
    const uploaded = await upload(); // wakes the poll, whose attempt is now held past the wait's end
    const video: Video | undefined = await waiting;
    expect(video).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(400);
    counted.hold = undefined;
    release();
    // The held attempt claimed the video for w-late, who had been answered: it is given back.
    // Two writes: the claim, then the give-back.
    for (let i = 0; i < 100 && (await inner.get(uploaded))!.version < uploaded.version + 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    const stored = (await inner.get(uploaded))!;
    expect(stored).toMatchObject({ status: 'UPLOADED', claim: undefined, attemptCount: 1 });
    expect(await claim({ workerId: 'w-next' })).toMatchObject({ videoId: uploaded.videoId, claim: { workerId: 'w-next' }, attemptCount: 2 });
  });

  it('a store outage answers every waiting call with the error', async () => {
    const calls = Array.from({ length: 3 }, () => rejection(claim({ waitMs: 5_000 })));
    await new Promise((resolve) => setTimeout(resolve, 50));
    counted.fail = new StoreUnavailable('down');
    await upload().catch(() => undefined);
    for (const error of await Promise.all(calls)) expect(error).toBeInstanceOf(StoreUnavailable);
  });
});
