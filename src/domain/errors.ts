// Domain errors: plain types the core throws. Each type owns a stable reason (AIP-193), in
// the one table below; the transport maps types to wire codes in one place
// (src/adapters/rpc/errors.ts) and sends the reason with them; nothing else looks at codes.
import type { VideoKey } from './video.ts';

/** Base of every error the domain and its ports report on purpose. */
export class VideoError extends Error {
  override get name(): string {
    return this.constructor.name;
  }

  /** The stable reason of this error's type (the table below); undefined for a type it lacks. */
  get reason(): string | undefined {
    return errorReasons.find(([type]) => this instanceof type)?.[1];
  }

  /** Facts a program can act on without parsing the message (ErrorInfo metadata), snake_case keys. */
  get metadata(): Readonly<Record<string, string>> {
    return {};
  }
}

/** A video's key as ErrorInfo metadata. */
function keyMetadata(key: VideoKey | undefined): Readonly<Record<string, string>> {
  return key === undefined ? {} : { owner_id: key.ownerId, video_id: key.videoId };
}

/** The video does not exist. */
export class NotFound extends VideoError {
  constructor(
    message: string,
    readonly key?: VideoKey,
  ) {
    super(message);
  }

  /** The one wording every store and use case gives for an absent video. */
  static video(key: VideoKey): NotFound {
    return new NotFound(`video ${key.videoId} of owner ${key.ownerId} not found`, { ownerId: key.ownerId, videoId: key.videoId });
  }

  override get metadata(): Readonly<Record<string, string>> {
    return keyMetadata(this.key);
  }
}

/** A create found the key already taken; nothing was overwritten. */
export class AlreadyExists extends VideoError {
  constructor(
    message: string,
    readonly key?: VideoKey,
  ) {
    super(message);
  }

  /** The one wording every store gives for a taken key. */
  static video(key: VideoKey): AlreadyExists {
    return new AlreadyExists(`video ${key.videoId} of owner ${key.ownerId} already exists`, { ownerId: key.ownerId, videoId: key.videoId });
  }

  override get metadata(): Readonly<Record<string, string>> {
    return keyMetadata(this.key);
  }
}

/** Input breaks a SPEC §1 rule; the message names the field and the rule. */
export class InvalidArgument extends VideoError {
  constructor(
    readonly field: string,
    readonly rule: string,
  ) {
    super(`${field}: ${rule}`);
  }

  override get metadata(): Readonly<Record<string, string>> {
    return { field: this.field };
  }
}

/** The system is not in a state that allows the operation. */
export class FailedPrecondition extends VideoError {}

/** A status change the lifecycle (SPEC §2) does not allow. */
export class IllegalTransition extends FailedPrecondition {
  constructor(
    readonly from: string,
    readonly to: string,
  ) {
    super(`status: cannot change from ${from} to ${to}`);
  }

  override get metadata(): Readonly<Record<string, string>> {
    return { current_status: this.from, requested_status: this.to };
  }
}

/** RenewClaim refused: the video is not TRANSCODING under a live claim of this worker (SPEC §9). */
export class NoLiveClaim extends FailedPrecondition {
  constructor(readonly workerId: string) {
    super(`no live claim of worker ${workerId} on this video`);
  }

  override get metadata(): Readonly<Record<string, string>> {
    return { worker_id: this.workerId };
  }
}

/** ClaimVideo refused: the store lacks the index claims need (SPEC §9); the message names the fix. */
export class WorkIndexMissing extends FailedPrecondition {}

/** The caller's etag is not the current one; nothing changed. Retry after a fresh read. */
export class StaleEtag extends VideoError {
  constructor(message = 'etag: does not match the current version; read the video again and retry') {
    super(message);
  }
}

/** The caller may not do this. */
export class PermissionDenied extends VideoError {}

/** The caller named another owner's videos without the admin scope (SPEC §4). */
export class CallerNotOwner extends PermissionDenied {
  constructor(
    readonly callerId: string,
    readonly ownerId: string,
  ) {
    super(`caller ${callerId} may not act on videos of owner ${ownerId}`);
  }

  override get metadata(): Readonly<Record<string, string>> {
    return { caller: this.callerId, owner_id: this.ownerId };
  }
}

/** An RPC only services may call, called without the admin scope (SPEC §9). */
export class ScopeRequired extends PermissionDenied {
  constructor(
    rpc: string,
    readonly scope: string,
  ) {
    super(`${rpc} needs the ${scope} scope`);
  }

  override get metadata(): Readonly<Record<string, string>> {
    return { scope: this.scope };
  }
}

/** The caller did not prove who it is (malformed or wrongly signed token, or one whose claims do not hold). */
export class Unauthenticated extends VideoError {}

/** No bearer token at all: the caller forgot it, a program attaches one and calls again. */
export class TokenMissing extends Unauthenticated {
  constructor() {
    super('missing bearer token');
  }
}

/** The token was good but has expired: a program mints or fetches a fresh one. */
export class TokenExpired extends Unauthenticated {
  constructor() {
    super('token expired');
  }
}

/** The store is down, throttling or timed out; the call may be retried. */
export class StoreUnavailable extends VideoError {
  constructor(message = 'the video store is unavailable; retry later', options?: ErrorOptions) {
    super(message, options);
  }
}

type ErrorType = abstract new (...args: never[]) => VideoError;

/**
 * Every domain error type and its stable reason (AIP-193 ErrorInfo.reason, UPPER_SNAKE_CASE),
 * the one table; the README lists it. A reason never changes once released: programs branch
 * on it. Checked in order, subclasses before their parents.
 */
export const errorReasons: ReadonlyArray<readonly [ErrorType, string]> = [
  [NotFound, 'VIDEO_NOT_FOUND'],
  [AlreadyExists, 'VIDEO_ALREADY_EXISTS'],
  [InvalidArgument, 'INVALID_FIELD'],
  [IllegalTransition, 'ILLEGAL_TRANSITION'],
  [NoLiveClaim, 'NO_LIVE_CLAIM'],
  [WorkIndexMissing, 'WORK_INDEX_MISSING'],
  [FailedPrecondition, 'FAILED_PRECONDITION'],
  [StaleEtag, 'STALE_ETAG'],
  [CallerNotOwner, 'CALLER_NOT_OWNER'],
  [ScopeRequired, 'SCOPE_REQUIRED'],
  [PermissionDenied, 'PERMISSION_DENIED'],
  [TokenMissing, 'TOKEN_MISSING'],
  [TokenExpired, 'TOKEN_EXPIRED'],
  [Unauthenticated, 'TOKEN_INVALID'],
  [StoreUnavailable, 'STORE_UNAVAILABLE'],
];
