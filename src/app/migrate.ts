// `videosvc migrate sqlite-to-dynamodb` as a use case: copy every video from one store
// into another, every field kept (ids, times, status, version, labels), never
// overwriting, so a re-run after a partial copy only adds what is missing.
import { AlreadyExists } from '../domain/errors.ts';
import type { VideoStore } from '../domain/ports.ts';
import type { Video } from '../domain/video.ts';

/** A store that can hand out every video it holds, across owners (the port cannot). */
export interface VideoSource {
  allVideos(): AsyncIterable<Video>;
}

export interface MigrationResult {
  /** Videos written to the target by this run. */
  readonly copied: number;
  /** Videos the target already held (same owner and id); left untouched. */
  readonly skipped: number;
}

// Conditional creates are independent, so a few run at once; more would only trade
// throttling (StoreUnavailable) for speed on a table with little capacity.
const defaultConcurrency = 8;

/**
 * Copies every video of `source` into `target` with `create` (conditional, so an existing
 * item is skipped, never overwritten); stops at the first other error, which the caller
 * reports (what was copied stays copied; a re-run skips it).
 */
export async function migrateVideos(
  source: VideoSource,
  target: Pick<VideoStore, 'create'>,
  options: { concurrency?: number; onProgress?: (result: MigrationResult) => void } = {},
): Promise<MigrationResult> {
  let copied = 0;
  let skipped = 0;
  let failure: unknown;
  const inFlight = new Set<Promise<void>>();
  const copy = async (video: Video) => {
    try {
      await target.create(video);
      copied += 1;
    } catch (err) {
      if (!(err instanceof AlreadyExists)) throw err;
      skipped += 1;
    }
    options.onProgress?.({ copied, skipped });
  };
  for await (const video of source.allVideos()) {
    if (failure !== undefined) break;
    const task: Promise<void> = copy(video)
      .catch((err: unknown) => {
        failure ??= err;
      })
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
    if (inFlight.size >= (options.concurrency ?? defaultConcurrency)) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  return { copied, skipped };
}
