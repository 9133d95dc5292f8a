// The field-mask rules of UpdateVideo (SPEC §3).
import { InvalidArgument } from '../domain/errors.ts';
import { mutablePaths, type MutablePath, type VideoFields } from '../domain/video.ts';
import type { VideoDraft } from '../domain/validation.ts';

const immutablePaths = new Set(['owner_id', 'video_id', 'create_time', 'update_time', 'etag']);
const allMutablePaths = Object.keys(mutablePaths) as MutablePath[];

/** The mutable paths a mask names (`*` = all); empty, unknown or immutable paths are refused. */
export function maskedPaths(paths: readonly string[]): MutablePath[] {
  if (paths.length === 0) throw new InvalidArgument('update_mask', 'required; name the fields to change, or "*" for all');
  if (paths.includes('*')) return allMutablePaths;
  const named = new Set<MutablePath>();
  for (const path of paths) {
    if (immutablePaths.has(path)) throw new InvalidArgument('update_mask', `path "${path}" cannot be changed`);
    if (!(path in mutablePaths)) {
      throw new InvalidArgument('update_mask', `unknown path "${path}"; allowed: ${allMutablePaths.join(', ')} or *`);
    }
    named.add(path as MutablePath);
  }
  return [...named];
}

// The value a named field takes when the draft lacks it (proto3: unset is the zero value).
const zeroDraft: { [K in keyof VideoFields]-?: NonNullable<VideoDraft[K]> } = {
  originalName: '',
  title: '',
  status: '',
  originalKey: '',
  transcodedKey: '',
  thumbKey: '',
  durationSeconds: 0,
  format: '',
  width: 0,
  height: 0,
  sizeBytes: 0n,
  labels: Object.freeze({}),
  failureReason: '',
};

/** The part of a client's draft that the mask names; a named field missing from the draft takes its zero value. */
export function maskedDraft(draft: VideoDraft, paths: readonly MutablePath[]): VideoDraft {
  const picked: Record<string, unknown> = {};
  for (const path of paths) {
    const field = mutablePaths[path];
    picked[field] = draft[field] ?? zeroDraft[field];
  }
  return picked as VideoDraft;
}
