import { IllegalTransition } from './errors.ts';
import { videoStatuses, type VideoStatus } from './video.ts';

// SPEC §2: where each status may go next. Staying put is always allowed.
const nextStatuses: Readonly<Record<VideoStatus, readonly VideoStatus[]>> = {
  UPLOADED: ['TRANSCODING', 'TRANSCODED', 'FAILED'],
  TRANSCODING: ['TRANSCODED', 'FAILED', 'UPLOADED'],
  TRANSCODED: ['COMPLETED', 'FAILED'],
  FAILED: ['UPLOADED'],
  COMPLETED: [],
};

/** Whether a video in `from` may be set to `to` (setting the same status is allowed). */
export function canTransition(from: VideoStatus, to: VideoStatus): boolean {
  return from === to || nextStatuses[from].includes(to);
}

/** Throws IllegalTransition naming both states unless `from → to` is allowed. */
export function assertTransition(from: VideoStatus, to: VideoStatus): void {
  if (!canTransition(from, to)) throw new IllegalTransition(from, to);
}

/**
 * Every status from which `to` may be set, itself included. Stores put this list in
 * their conditional write, so a status change costs one request and no read.
 */
export function allowedFrom(to: VideoStatus): readonly VideoStatus[] {
  return videoStatuses.filter((from) => canTransition(from, to));
}
