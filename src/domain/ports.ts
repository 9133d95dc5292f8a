// What the core needs from the outside world. Adapters implement these; use cases
// depend only on them.
import type { Video, VideoFields, VideoKey, VideoStatus } from './video.ts';

/** Where a newest-first listing resumes: just after this (create time, video id). */
export interface ListCursor {
  readonly createTime: Date;
  readonly videoId: string;
}

export interface ListQuery {
  readonly ownerId: string;
  /** Only videos in this status; undefined lists all. */
  readonly status?: VideoStatus;
  /** 1..1000, already normalised by the use case. */
  readonly limit: number;
  readonly after?: ListCursor;
}

export interface ListPage {
  /** Newest first: createTime descending, then videoId descending. */
  readonly videos: readonly Video[];
  /** Set exactly when more matching videos follow the last one returned. */
  readonly next?: ListCursor;
}

/** A change to apply atomically: the masked fields plus the new update time. */
export interface VideoChange {
  readonly fields: Partial<VideoFields>;
  readonly updateTime: Date;
}

/**
 * What must hold for a write to go ahead, checked by the store in the same statement
 * or request as the write itself.
 */
export interface Precondition {
  /** The version the caller's etag names; undefined means any. */
  readonly version?: number;
  /** The allowed "from" states of a status change; undefined means any. */
  readonly statusIn?: readonly VideoStatus[];
}

/** A claim to grant (SPEC §9), its times and limit fixed by the use case from claim.ts. */
export interface ClaimGrant {
  readonly workerId: string;
  /** Claimable means waiting since this instant or earlier (readyTimeAfterWrite). */
  readonly now: Date;
  /** The claim's expiry: now plus the lease. */
  readonly expireTime: Date;
  /** CLAIM_MAX_ATTEMPTS: a claimable video claimed this often is failed instead (attemptsExhausted). */
  readonly maxAttempts: number;
}

/** A renewal of a worker's live claim. */
export interface ClaimRenewal {
  readonly workerId: string;
  /** The claim must still be live at this instant. */
  readonly now: Date;
  readonly expireTime: Date;
}

/**
 * What bounds one store call. A store answers by `deadline` (StoreUnavailable if it
 * cannot), never blocks the process while it waits (a lock, an fsync), and may stop work
 * once `signal` is aborted (the caller went away or its deadline passed).
 */
export interface StoreCallOptions {
  /** Epoch milliseconds: the caller's deadline, or the service's store timeout if sooner. */
  readonly deadline?: number;
  readonly signal?: AbortSignal;
  /**
   * When the call's request was received (process.hrtime.bigint()). A store may answer a
   * read from a snapshot shared with other calls if it began after this instant, which
   * still shows every write acknowledged before the request was sent. Absent: a fresh read.
   */
  readonly receivedNs?: bigint;
}

/**
 * Persistence of videos. Every write is atomic and conditional; when a condition fails
 * the store says why with a domain error, checked in this order: NotFound, then
 * StaleEtag, then IllegalTransition (carrying the current and the requested status).
 * An unreachable or throttling store throws StoreUnavailable.
 */
export interface VideoStore {
  /** Stores a new video; AlreadyExists if (owner, id) is taken, and nothing is overwritten. */
  create(video: Video, options?: StoreCallOptions): Promise<Video>;
  get(key: VideoKey, options?: StoreCallOptions): Promise<Video | undefined>;
  /** The owner's videos among `videoIds` (≤ 100, distinct), in any order; absent ids are left out. */
  getMany(ownerId: string, videoIds: readonly string[], options?: StoreCallOptions): Promise<Video[]>;
  /** One page of the owner's videos, newest first, resuming after `query.after`. */
  list(query: ListQuery, options?: StoreCallOptions): Promise<ListPage>;
  /** Applies the change if the precondition holds, bumps the version, returns the stored result. */
  update(key: VideoKey, change: VideoChange, expect: Precondition, options?: StoreCallOptions): Promise<Video>;
  /** Removes the video if the precondition holds; NotFound if absent. */
  delete(key: VideoKey, expect: Precondition, options?: StoreCallOptions): Promise<void>;
  /**
   * Grants `grant` on the claimable video that has waited longest (claim.ts `claimed`),
   * with one conditional write, so no two callers can win one video. A claimable video met
   * first whose attempts are exhausted is set FAILED (`exhaustedReason`) and passed over.
   * Undefined when nothing is claimable. A store without its work index throws
   * FailedPrecondition naming the command that adds it.
   */
  claimNext(grant: ClaimGrant, options?: StoreCallOptions): Promise<Video | undefined>;
  /**
   * Extends the live claim of `renewal.workerId` (claim.ts `renewed`) in one conditional
   * write; NotFound if absent, NoLiveClaim if the video is not
   * TRANSCODING under a live claim of that worker.
   */
  renewClaim(key: VideoKey, renewal: ClaimRenewal, options?: StoreCallOptions): Promise<Video>;
  /** Resolves when the store answers; for readiness checks. */
  ping(options?: StoreCallOptions): Promise<void>;
  close(): Promise<void>;
}

export interface Clock {
  now(): Date;
}

/** Mints video ids (UUIDv7, so ids sort roughly by creation). */
export interface IdSource {
  newId(): string;
}

/** The token secret in force: `current` signs and verifies; `previous` still verifies during a rotation. */
export interface TokenSecrets {
  readonly current: Uint8Array;
  readonly previous?: Uint8Array;
}

/** Where the token secret comes from (a value given directly, a file, Secrets Manager). */
export interface TokenSecretSource {
  load(): Promise<TokenSecrets>;
}

/** Named configuration values held outside the process (SSM Parameter Store). */
export interface ParameterSource {
  /** The values found for `names` (relative to the source's prefix); absent names are left out. */
  read(names: readonly string[]): Promise<ReadonlyMap<string, string>>;
}

/**
 * The token secrets in force, kept fresh by their holder (periodic refresh, and a
 * rate-limited refresh after a signature failure). A verifier that caches verified
 * tokens empties its cache whenever `secrets()` returns a different object.
 */
export interface TokenSecretRing {
  /** The secrets to sign and verify with now; cheap, no I/O. */
  secrets(): TokenSecrets;
  /** Re-reads the source after a signature failure (rate-limited); true if the secrets changed. */
  refreshAfterFailure(): Promise<boolean>;
  /** Stops any background refresh. */
  close(): void;
}
