// SPEC §9's rules for work claiming, allowed and refused, as the domain states them once for every store.
import { describe, expect, it } from 'vitest';
import {
  attemptsExhausted,
  checkWorkerId,
  claimed,
  claimLimits,
  exhaustedReason,
  isClaimable,
  leaseMsOf,
  readyTimeAfterWrite,
  renewed,
  statusChangeEffects,
  statusChangeGroups,
  waitMsOf,
  type WorkState,
} from '../../src/domain/claim.ts';
import { FailedPrecondition, InvalidArgument } from '../../src/domain/errors.ts';
import { videoStatuses } from '../../src/domain/video.ts';

const now = new Date('2026-11-29T12:00:00.000Z');
const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);
const uploaded: WorkState = { status: 'UPLOADED', claim: undefined, attemptCount: 0 };
const claimedBy = (workerId: string, expiresInMs: number, attemptCount = 1): WorkState => ({
  status: 'TRANSCODING',
  claim: { workerId, expireTime: at(expiresInMs) },
  attemptCount,
});

const refusal = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('worker_id, lease_duration and wait_duration', () => {
  it('accepts 1..128 characters of [A-Za-z0-9._@:-] and refuses the rest, naming the field', () => {
    for (const id of ['w', 'transcoder-7.pod@eu-west-1:3', 'x'.repeat(128)]) expect(checkWorkerId(id)).toBe(id);
    for (const [id, rule] of [
      ['', 'worker_id: required'],
      ['x'.repeat(129), 'worker_id: at most 128 characters'],
      ['a b', 'worker_id: only letters, digits and . _ @ : - are allowed'],
      ['w/1', 'worker_id: only letters, digits and . _ @ : - are allowed'],
      ['wörker', 'worker_id: only letters, digits and . _ @ : - are allowed'],
    ] as const) {
      const error = refusal(() => checkWorkerId(id));
      expect(error).toBeInstanceOf(InvalidArgument);
      expect((error as Error).message).toBe(rule);
    }
  });

  it('takes unset/0 as a 5 minute lease, 1 s..1 h as given, and refuses anything else', () => {
    expect(leaseMsOf(0)).toBe(300_000);
    expect(leaseMsOf(1_000)).toBe(1_000);
    expect(leaseMsOf(3_600_000)).toBe(3_600_000);
    for (const ms of [999, 3_600_001, -1_000, Number.NaN]) expect(refusal(() => leaseMsOf(ms))).toBeInstanceOf(InvalidArgument);
  });

  it('waits 0..20 s and no longer', () => {
    expect(waitMsOf(0)).toBe(0);
    expect(waitMsOf(claimLimits.maxWaitMs)).toBe(20_000);
    for (const ms of [20_001, -1, Number.POSITIVE_INFINITY]) expect(refusal(() => waitMsOf(ms))).toBeInstanceOf(InvalidArgument);
  });
});

describe('claimable', () => {
  it('is UPLOADED, or TRANSCODING under a claim that has expired; nothing else', () => {
    expect(isClaimable(uploaded, now)).toBe(true);
    expect(isClaimable(claimedBy('w1', 0), now)).toBe(true);
    expect(isClaimable(claimedBy('w1', -1), now)).toBe(true);
    expect(isClaimable(claimedBy('w1', 1), now)).toBe(false);
    // Set TRANSCODING by a plain update: no claim, never expires.
    expect(isClaimable({ status: 'TRANSCODING', claim: undefined, attemptCount: 0 }, at(10 ** 12))).toBe(false);
    for (const status of videoStatuses.filter((each) => each !== 'UPLOADED' && each !== 'TRANSCODING')) {
      expect(isClaimable({ status, claim: undefined, attemptCount: 0 }, now)).toBe(false);
    }
  });

  it('waits from when it became claimable: an edit keeps an UPLOADED video in its place, a claim moves it to its expiry', () => {
    const since = at(-60_000);
    expect(readyTimeAfterWrite(undefined, uploaded, now)).toEqual(now);
    expect(readyTimeAfterWrite({ status: 'UPLOADED', readyTime: since }, uploaded, now)).toEqual(since);
    expect(readyTimeAfterWrite({ status: 'UPLOADED', readyTime: since }, claimedBy('w1', 5_000), now)).toEqual(at(5_000));
    // Given back, or retried: waiting starts again now.
    expect(readyTimeAfterWrite({ status: 'TRANSCODING', readyTime: at(5_000) }, uploaded, now)).toEqual(now);
    expect(readyTimeAfterWrite({ status: 'FAILED', readyTime: undefined }, uploaded, now)).toEqual(now);
    for (const status of ['TRANSCODED', 'COMPLETED', 'FAILED'] as const) {
      expect(readyTimeAfterWrite({ status: 'UPLOADED', readyTime: since }, { status, claim: undefined, attemptCount: 1 }, now)).toBeUndefined();
    }
    expect(readyTimeAfterWrite({ status: 'UPLOADED', readyTime: since }, { status: 'TRANSCODING', claim: undefined, attemptCount: 0 }, now)).toBeUndefined();
  });
});

describe('claim, renew, attempts', () => {
  it('a claim sets TRANSCODING under the worker until now + lease, one attempt more; an unclaimable video is refused', () => {
    expect(claimed(uploaded, 'w1', now, 60_000)).toEqual({ status: 'TRANSCODING', claim: { workerId: 'w1', expireTime: at(60_000) }, attemptCount: 1 });
    expect(claimed(claimedBy('w1', -1, 2), 'w2', now, 1_000)).toEqual({ status: 'TRANSCODING', claim: { workerId: 'w2', expireTime: at(1_000) }, attemptCount: 3 });
    expect(refusal(() => claimed(claimedBy('w1', 1), 'w2', now, 1_000))).toBeInstanceOf(FailedPrecondition);
    expect(refusal(() => claimed({ status: 'COMPLETED', claim: undefined, attemptCount: 0 }, 'w2', now, 1_000))).toBeInstanceOf(FailedPrecondition);
  });

  it('only the live holder renews, to now + lease; another worker, an expired claim or no claim is FAILED_PRECONDITION naming the worker', () => {
    expect(renewed(claimedBy('w1', 1), 'w1', now, 120_000)).toEqual(claimedBy('w1', 120_000));
    for (const state of [claimedBy('w2', 60_000), claimedBy('w1', 0), claimedBy('w1', -5), uploaded, { status: 'TRANSCODING', claim: undefined, attemptCount: 0 } as WorkState]) {
      const error = refusal(() => renewed(state, 'w1', now, 1_000));
      expect(error).toBeInstanceOf(FailedPrecondition);
      expect((error as Error).message).toContain('worker w1');
    }
  });

  it('is exhausted at CLAIM_MAX_ATTEMPTS claims, and says how often in the failure reason', () => {
    expect(attemptsExhausted({ ...uploaded, attemptCount: 2 }, 3)).toBe(false);
    expect(attemptsExhausted({ ...uploaded, attemptCount: 3 }, 3)).toBe(true);
    expect(attemptsExhausted(claimedBy('w1', -1, 1), 1)).toBe(true);
    expect(exhaustedReason(3)).toBe('claimed 3 times without finishing');
  });
});

describe('a status change and the claim', () => {
  it('leaving TRANSCODING ends the claim; staying keeps it; a retry resets the attempts and the failure reason unless it sets one', () => {
    for (const to of ['TRANSCODED', 'FAILED', 'UPLOADED'] as const) {
      expect(statusChangeEffects('TRANSCODING', to, false)).toEqual({ clearClaim: true, resetAttempts: false, clearFailureReason: false });
    }
    expect(statusChangeEffects('TRANSCODING', 'TRANSCODING', false)).toEqual({ clearClaim: false, resetAttempts: false, clearFailureReason: false });
    // Only a TRANSCODING video holds a claim: clearing it on any other change is the same thing.
    expect(statusChangeEffects('FAILED', 'UPLOADED', false)).toEqual({ clearClaim: true, resetAttempts: true, clearFailureReason: true });
    expect(statusChangeEffects('FAILED', 'UPLOADED', true)).toEqual({ clearClaim: true, resetAttempts: true, clearFailureReason: false });
    expect(statusChangeEffects('UPLOADED', 'TRANSCODING', false)).toEqual({ clearClaim: false, resetAttempts: false, clearFailureReason: false });
    expect(statusChangeEffects('FAILED', 'FAILED', false)).toEqual({ clearClaim: false, resetAttempts: false, clearFailureReason: false });
    expect(statusChangeEffects('UPLOADED', 'UPLOADED', false)).toEqual({ clearClaim: false, resetAttempts: false, clearFailureReason: false });
  });

  it('groups the allowed "from" statuses of a change by what else it does: a retry apart from a give-back', () => {
    expect(statusChangeGroups(['UPLOADED', 'TRANSCODING', 'FAILED'], 'UPLOADED', false)).toEqual([
      { from: ['UPLOADED'], effects: { clearClaim: false, resetAttempts: false, clearFailureReason: false } },
      { from: ['TRANSCODING'], effects: { clearClaim: true, resetAttempts: false, clearFailureReason: false } },
      { from: ['FAILED'], effects: { clearClaim: true, resetAttempts: true, clearFailureReason: true } },
    ]);
    expect(statusChangeGroups(['UPLOADED', 'TRANSCODING', 'TRANSCODED'], 'TRANSCODED', false)).toEqual([
      { from: ['UPLOADED', 'TRANSCODING'], effects: { clearClaim: true, resetAttempts: false, clearFailureReason: false } },
      { from: ['TRANSCODED'], effects: { clearClaim: false, resetAttempts: false, clearFailureReason: false } },
    ]);
  });
});
