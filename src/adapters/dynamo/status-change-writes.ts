// The conditional writes an UpdateVideo may need on DynamoDB. One UpdateItem cannot branch
// on the stored status, so a status change whose side effects depend on the status it
// comes from (claim.ts statusChangeEffects, and what it does to the work index,
// work-index.ts workWriteOf) is one write per group of "from" statuses. The first group is
// sent; when its condition fails and the item turns out to be in another group's status,
// that group's write is sent (store.ts, conditional-write.ts): one request when the guess
// is right, write + read + write at worst.
import { statusChangeEffects, type StatusChangeEffects } from '../../domain/claim.ts';
import type { Precondition, VideoChange } from '../../domain/ports.ts';
import { videoStatuses, type VideoStatus } from '../../domain/video.ts';
import { workWriteOf, type WorkWrite } from './work-index.ts';

/** What a status change does beyond the status, on DynamoDB: the domain's effects plus the work index's. */
export interface StoredStatusChangeEffects extends StatusChangeEffects {
  readonly work: WorkWrite;
}

export interface StatusChangeWrite {
  readonly expect: Precondition;
  /** Undefined when the update leaves the status alone. */
  readonly effects: StoredStatusChangeEffects | undefined;
}

/**
 * The writes an update may need, the likeliest first. Clearing a claim that is not there
 * changes nothing, so groups differing only in that are one write, which clears it. A real
 * change is likelier than setting the status a video already has, so groups holding a
 * status other than the target go first (a give-back or a plain TRANSCODING costs one write).
 */
export function statusChangeWrites(change: VideoChange, expect: Precondition): StatusChangeWrite[] {
  const to = change.fields.status;
  if (to === undefined) return [{ expect, effects: undefined }];
  const merged: Array<{ from: VideoStatus[]; effects: StoredStatusChangeEffects }> = [];
  for (const from of expect.statusIn ?? videoStatuses) {
    const effects = { ...statusChangeEffects(from, to, change.fields.failureReason !== undefined), work: workWriteOf(from, to) };
    const same = merged.find(
      (each) =>
        each.effects.resetAttempts === effects.resetAttempts &&
        each.effects.clearFailureReason === effects.clearFailureReason &&
        each.effects.work === effects.work,
    );
    if (same === undefined) merged.push({ from: [from], effects });
    else {
      same.from.push(from);
      same.effects = { ...same.effects, clearClaim: same.effects.clearClaim || effects.clearClaim };
    }
  }
  // One write: the precondition as given (no status clause added where the caller had none).
  if (merged.length === 1) return [{ expect, effects: merged[0]!.effects }];
  const noOpLast = merged.toSorted((a, b) => Number(isOnly(a.from, to)) - Number(isOnly(b.from, to)));
  return noOpLast.map((group) => ({ expect: { ...expect, statusIn: group.from }, effects: group.effects }));
}

function isOnly(from: readonly VideoStatus[], status: VideoStatus): boolean {
  return from.length === 1 && from[0] === status;
}
