// Domain errors: plain types the core throws. The transport maps them to wire codes
// in one place (src/adapters/rpc/errors.ts); nothing else looks at codes.
import type { VideoKey } from './video.ts';

/** Base of every error the domain and its ports report on purpose. */
export class VideoError extends Error {
  override get name(): string {
    return this.constructor.name;
  }
}

/** The video (or another addressed thing) does not exist. */
export class NotFound extends VideoError {
  /** The one wording every store and use case gives for an absent video. */
  static video(key: VideoKey): NotFound {
    return new NotFound(`video ${key.videoId} of owner ${key.ownerId} not found`);
  }
}

/** A create found the key already taken; nothing was overwritten. */
export class AlreadyExists extends VideoError {
  /** The one wording every store gives for a taken key. */
  static video(key: VideoKey): AlreadyExists {
    return new AlreadyExists(`video ${key.videoId} of owner ${key.ownerId} already exists`);
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
}

/** The caller's etag is not the current one; nothing changed. Retry after a fresh read. */
export class StaleEtag extends VideoError {
  constructor(message = 'etag: does not match the current version; read the video again and retry') {
    super(message);
  }
}

/** The caller may not act on this owner's videos. */
export class PermissionDenied extends VideoError {}

/** The caller did not prove who it is (missing, malformed, expired or wrongly signed token). */
export class Unauthenticated extends VideoError {}

/** The store is down, throttling or timed out; the call may be retried. */
export class StoreUnavailable extends VideoError {
  constructor(message = 'the video store is unavailable; retry later', options?: ErrorOptions) {
    super(message, options);
  }
}
