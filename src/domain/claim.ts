// SPEC §9, work claiming: what "claimable" means, the claim, renew and expiry rules, the
// attempts limit and what a status change does to a claim. Written once here, for every
// store: a store turns these answers into its one conditional write.
import { FailedPrecondition, InvalidArgument, NoLiveClaim } from './errors.ts';
import type { VideoStatus } from './video.ts';

/** A worker's hold on a TRANSCODING video, live until `expireTime`. */
export interface Claim {
  readonly workerId: string;
  readonly expireTime: Date;
}

/** What claiming reads of a video. */
export interface WorkState {
  readonly status: VideoStatus;
  /** The live or last claim while TRANSCODING; undefined otherwise, and for a video set TRANSCODING by a plain update. */
  readonly claim: Claim | undefined;
  /** Claims since the video was created or last retried. */
  readonly attemptCount: number;
}

export const claimLimits = {
  workerIdMaxChars: 128,
  defaultLeaseMs: 5 * 60_000,
  minLeaseMs: 1_000,
  maxLeaseMs: 60 * 60_000,
  maxWaitMs: 20_000,
  /** CLAIM_MAX_ATTEMPTS (SPEC §5). */
  defaultMaxAttempts: 3,
  maxAttemptsRange: [1, 100],
} as const;

const workerIdPattern = /^[A-Za-z0-9._@:-]+$/;

/** worker_id: 1..128 characters of [A-Za-z0-9._@:-]. */
export function checkWorkerId(workerId: string): string {
  if (workerId === '') throw new InvalidArgument('worker_id', 'required');
  if (workerId.length > claimLimits.workerIdMaxChars) {
    throw new InvalidArgument('worker_id', `at most ${claimLimits.workerIdMaxChars} characters`);
  }
  if (!workerIdPattern.test(workerId)) throw new InvalidArgument('worker_id', 'only letters, digits and . _ @ : - are allowed');
  return workerId;
}

/** lease_duration in milliseconds: unset or 0 is the 5 minute default, else 1 s to 1 h. */
export function leaseMsOf(requestedMs: number): number {
  if (requestedMs === 0) return claimLimits.defaultLeaseMs;
  if (!Number.isFinite(requestedMs) || requestedMs < claimLimits.minLeaseMs || requestedMs > claimLimits.maxLeaseMs) {
    throw new InvalidArgument('lease_duration', 'must be from 1s to 3600s (unset or 0 for 300s)');
  }
  return requestedMs;
}

/** wait_duration in milliseconds: 0 (answer at once) to 20 s. */
export function waitMsOf(requestedMs: number): number {
  if (!Number.isFinite(requestedMs) || requestedMs < 0 || requestedMs > claimLimits.maxWaitMs) {
    throw new InvalidArgument('wait_duration', 'must be from 0s to 20s');
  }
  return requestedMs;
}

/** Whether ClaimVideo may hand the video out at `now`: UPLOADED, or TRANSCODING under an expired claim. */
export function isClaimable(state: WorkState, now: Date): boolean {
  if (state.status === 'UPLOADED') return true;
  return state.status === 'TRANSCODING' && state.claim !== undefined && state.claim.expireTime.getTime() <= now.getTime();
}

/**
 * The video's place in the queue after a write: the instant from which it waits (or will
 * wait) to be claimed, oldest first; undefined when no claim can take it without another
 * write. UPLOADED waits from the moment it became UPLOADED (so editing a waiting video keeps
 * its place); a claimed video becomes claimable again when its claim expires.
 */
export function readyTimeAfterWrite(before: { status: VideoStatus; readyTime: Date | undefined } | undefined, after: WorkState, now: Date): Date | undefined {
  if (after.status === 'UPLOADED') return before?.status === 'UPLOADED' && before.readyTime !== undefined ? before.readyTime : now;
  if (after.status === 'TRANSCODING' && after.claim !== undefined) return after.claim.expireTime;
  return undefined;
}

/** Whether a claimable video has been claimed as often as allowed: it is then failed, not handed out. */
export function attemptsExhausted(state: WorkState, maxAttempts: number): boolean {
  return state.attemptCount >= maxAttempts;
}

/** The failure_reason of a video failed for its attempts, around its count (a store may build it in its query language). */
export const exhaustedReasonParts = ['claimed ', ' times without finishing'] as const;

/** The failure_reason of a video failed for its attempts. */
export function exhaustedReason(attemptCount: number): string {
  return `${exhaustedReasonParts[0]}${attemptCount}${exhaustedReasonParts[1]}`;
}

/** What a granted claim writes: TRANSCODING under `workerId`'s claim for `leaseMs`, one attempt more. */
export function claimed(state: WorkState, workerId: string, now: Date, leaseMs: number): WorkState {
  if (!isClaimable(state, now)) throw new FailedPrecondition(`the video is ${state.status} and not claimable`);
  return {
    status: 'TRANSCODING',
    claim: { workerId, expireTime: new Date(now.getTime() + leaseMs) },
    attemptCount: state.attemptCount + 1,
  };
}

/** What RenewClaim writes: the same claim, expiring `leaseMs` from now; only the live holder may renew. */
export function renewed(state: WorkState, workerId: string, now: Date, leaseMs: number): WorkState {
  const claim = state.claim;
  if (state.status !== 'TRANSCODING' || claim === undefined || claim.workerId !== workerId || claim.expireTime.getTime() <= now.getTime()) {
    throw new NoLiveClaim(workerId);
  }
  return { ...state, claim: { workerId, expireTime: new Date(now.getTime() + leaseMs) } };
}

/** What an UpdateVideo's status change does beyond the status (SPEC §9, "Ending a claim"). */
export interface StatusChangeEffects {
  /**
   * Leaving TRANSCODING ends the claim. Only a TRANSCODING video holds one, so a store may
   * clear it for any change to another status: this says so for every such change.
   */
  readonly clearClaim: boolean;
  /** A retry (FAILED → UPLOADED) starts the attempts again… */
  readonly resetAttempts: boolean;
  /** …and clears failure_reason, unless the same update sets it. */
  readonly clearFailureReason: boolean;
}

export function statusChangeEffects(from: VideoStatus, to: VideoStatus, setsFailureReason: boolean): StatusChangeEffects {
  const retry = from === 'FAILED' && to === 'UPLOADED';
  return {
    clearClaim: from !== to && to !== 'TRANSCODING',
    resetAttempts: retry,
    clearFailureReason: retry && !setsFailureReason,
  };
}

/**
 * The allowed "from" statuses of a change to `to`, grouped by what else the change does, so
 * a store that cannot branch inside one write (DynamoDB) sends one conditional write per
 * group: the first group's, and another only when the item turns out to be in another.
 */
export function statusChangeGroups(
  allowedFrom: readonly VideoStatus[],
  to: VideoStatus,
  setsFailureReason: boolean,
): Array<{ readonly from: VideoStatus[]; readonly effects: StatusChangeEffects }> {
  const groups: Array<{ from: VideoStatus[]; effects: StatusChangeEffects }> = [];
  for (const from of allowedFrom) {
    const effects = statusChangeEffects(from, to, setsFailureReason);
    const same = groups.find(
      (group) =>
        group.effects.clearClaim === effects.clearClaim &&
        group.effects.resetAttempts === effects.resetAttempts &&
        group.effects.clearFailureReason === effects.clearFailureReason,
    );
    if (same === undefined) groups.push({ from: [from], effects });
    else same.from.push(from);
  }
  return groups;
}
