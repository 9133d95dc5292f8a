// The newest-first order of SPEC §3 (create_time desc, then video_id desc) and the
// cursor rule, shared by both list strategies so they cannot drift apart.
import { InvalidArgument } from '../../domain/errors.ts';
import type { ListCursor, ListPage, ListQuery } from '../../domain/ports.ts';
import type { Video } from '../../domain/video.ts';

/** Sort comparator: newer first; equal create times by video id, descending. */
export function newestFirst(a: Video, b: Video): number {
  const byTime = b.createTime.getTime() - a.createTime.getTime();
  if (byTime !== 0) return byTime;
  return a.videoId < b.videoId ? 1 : a.videoId > b.videoId ? -1 : 0;
}

/** Whether `video` comes strictly after the cursor in newest-first order. */
export function isAfter(video: Video, cursor: ListCursor | undefined): boolean {
  if (cursor === undefined) return true;
  const time = video.createTime.getTime();
  const cursorTime = cursor.createTime.getTime();
  return time < cursorTime || (time === cursorTime && video.videoId < cursor.videoId);
}

/** Whether `video` belongs to the listing (status filter and cursor). */
export function matches(video: Video, query: ListQuery): boolean {
  return (query.status === undefined || video.status === query.status) && isAfter(video, query.after);
}

/**
 * The page from candidates that hold the first `limit` matching videos in true order,
 * plus at least one more exactly when more remain: sorted, cut, `next` set when cut.
 */
export function takePage(candidates: Iterable<Video>, query: ListQuery): ListPage {
  const sorted = [...candidates].sort(newestFirst);
  const videos = sorted.slice(0, query.limit);
  const last = videos.at(-1);
  return sorted.length > query.limit && last
    ? { videos, next: { createTime: last.createTime, videoId: last.videoId } }
    : { videos };
}

/**
 * Refuses a cursor whose time is no time at all (an Invalid Date: a page token's time
 * beyond what a Date holds), on both list strategies alike: such a cursor cannot say
 * where the listing resumes, so it is the caller's bad token, not an empty page. A valid
 * time beyond any stored one resumes at the newest video (list-by-index clamps its key).
 */
export function checkCursor(query: ListQuery): void {
  if (query.after !== undefined && Number.isNaN(query.after.createTime.getTime())) {
    throw new InvalidArgument('page_token', 'names a position outside the range of video times');
  }
}
