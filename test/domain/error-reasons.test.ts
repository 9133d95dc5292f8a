// The reason table (src/domain/errors.ts): every domain error type exported there has its own
// stable reason, each reason names one type, and a subclass never falls through to its
// parent's reason because of the table's order.
import { describe, expect, it } from 'vitest';
import * as domainErrors from '../../src/domain/errors.ts';
import { errorReasons, VideoError } from '../../src/domain/errors.ts';

type ErrorType = abstract new (...args: never[]) => VideoError;

// Every class the module exports that is a kind of VideoError, found at run time, so a type
// added without a row here fails this test.
const errorTypes = (Object.values(domainErrors) as unknown[]).filter(
  (value): value is ErrorType => typeof value === 'function' && value.prototype instanceof VideoError,
);

/** An instance of `type` without running its constructor: the reason depends on the type alone. */
function instanceOf(type: ErrorType): VideoError {
  return Object.create(type.prototype) as VideoError;
}

describe('domain error reasons', () => {
  it('the table has exactly one row per exported domain error type', () => {
    expect(errorTypes.length).toBeGreaterThanOrEqual(15);
    expect(errorReasons.map(([type]) => type.name).sort()).toEqual(errorTypes.map((type) => type.name).sort());
  });

  it('every type reads its own row, never its parent’s', () => {
    for (const [type, reason] of errorReasons) expect({ type: type.name, reason: instanceOf(type).reason }).toEqual({ type: type.name, reason });
  });

  it('reasons are distinct UPPER_SNAKE_CASE words of at most 63 characters (AIP-193)', () => {
    const reasons = errorReasons.map(([, reason]) => reason);
    expect(new Set(reasons).size).toBe(reasons.length);
    for (const reason of reasons) expect(reason).toMatch(/^[A-Z][A-Z0-9_]{0,62}[A-Z0-9]$/);
  });

  it('constructed errors keep their messages and carry the facts a program needs as metadata', () => {
    const key = { ownerId: 'alice', videoId: '0190a5b4-0000-7000-8000-000000000001' };
    const notFound = domainErrors.NotFound.video(key);
    expect([notFound.message, notFound.reason, notFound.metadata]).toEqual([
      `video ${key.videoId} of owner alice not found`,
      'VIDEO_NOT_FOUND',
      { owner_id: 'alice', video_id: key.videoId },
    ]);
    expect(domainErrors.AlreadyExists.video(key).metadata).toEqual({ owner_id: 'alice', video_id: key.videoId });
    const transition = new domainErrors.IllegalTransition('COMPLETED', 'UPLOADED');
    expect([transition.reason, transition.metadata]).toEqual(['ILLEGAL_TRANSITION', { current_status: 'COMPLETED', requested_status: 'UPLOADED' }]);
    const noClaim = new domainErrors.NoLiveClaim('worker-7');
    expect([noClaim.message, noClaim.reason, noClaim.metadata]).toEqual(['no live claim of worker worker-7 on this video', 'NO_LIVE_CLAIM', { worker_id: 'worker-7' }]);
    expect(new domainErrors.InvalidArgument('title', 'at most 300 characters').metadata).toEqual({ field: 'title' });
    const foreign = new domainErrors.CallerNotOwner('alice', 'bob');
    expect([foreign.message, foreign.reason]).toEqual(['caller alice may not act on videos of owner bob', 'CALLER_NOT_OWNER']);
    const scope = new domainErrors.ScopeRequired('ClaimVideo', 'videos:admin');
    expect([scope.message, scope.reason, scope.metadata]).toEqual(['ClaimVideo needs the videos:admin scope', 'SCOPE_REQUIRED', { scope: 'videos:admin' }]);
    expect([new domainErrors.TokenMissing().message, new domainErrors.TokenExpired().message]).toEqual(['missing bearer token', 'token expired']);
    expect(new domainErrors.Unauthenticated('invalid signature').reason).toBe('TOKEN_INVALID');
    expect(new domainErrors.StoreUnavailable().reason).toBe('STORE_UNAVAILABLE');
  });
});
