import { InvalidArgument } from './errors.ts';
import { checkFields, checkOwnerId, checkVideoId, type VideoDraft } from './validation.ts';
import { toMillisecond, type Video, type VideoKey } from './video.ts';

/**
 * Builds a brand-new video from a client's draft: checks every rule, then fills the
 * SPEC §1 defaults (title = original_name, status = UPLOADED, version 1).
 */
export function newVideo(key: VideoKey, draft: VideoDraft, now: Date): Video {
  checkOwnerId(key.ownerId);
  checkVideoId(key.videoId);
  if (draft.originalName === undefined || draft.originalName === '') {
    throw new InvalidArgument('original_name', 'required');
  }
  const fields = checkFields(draft);
  const created = toMillisecond(now);
  return {
    ownerId: key.ownerId,
    videoId: key.videoId,
    originalName: draft.originalName,
    title: fields.title || draft.originalName,
    status: fields.status ?? 'UPLOADED',
    originalKey: fields.originalKey ?? '',
    transcodedKey: fields.transcodedKey ?? '',
    thumbKey: fields.thumbKey ?? '',
    durationSeconds: fields.durationSeconds ?? 0,
    format: fields.format ?? '',
    width: fields.width ?? 0,
    height: fields.height ?? 0,
    sizeBytes: fields.sizeBytes ?? 0n,
    labels: fields.labels ?? {},
    failureReason: fields.failureReason ?? '',
    createTime: created,
    updateTime: created,
    version: 1,
    claim: undefined,
    attemptCount: 0,
  };
}
