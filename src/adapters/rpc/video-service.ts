// VideoService handlers: translate the request, call the use case, translate back.
// Rules live in src/app/videos.ts (STYLE §5); a handler that grows an `if` is wrong here.
import type { HandlerContext, ServiceImpl } from '@connectrpc/connect';
import { defaultLimits } from '../../app/limits.ts';
import type { Videos } from '../../app/videos.ts';
import type { StoreCallOptions } from '../../domain/ports.ts';
import type { VideoService } from '../../gen/video/v1/video_service_pb.ts';
import { callerOf } from './auth.ts';
import { callDeadlineKey } from './call-guards.ts';
import { draftFromProto, statusFromProto, videoToProto } from './video-messages.ts';

/**
 * What bounds the store calls of one RPC: the call's signal, and a deadline at the
 * client's deadline or `storeTimeoutMs` from now, whichever is sooner (SPEC §6). Without
 * a client deadline the store still answers by then (UNAVAILABLE). The client's deadline
 * is the deadline interceptor's, when it ran, so both stop at the same instant.
 */
export function storeCallOptions(context: HandlerContext, storeTimeoutMs: number): StoreCallOptions {
  const now = Date.now();
  const timeoutMs = context.timeoutMs();
  const client = context.values.get(callDeadlineKey) ?? (timeoutMs === undefined ? undefined : now + timeoutMs);
  const storeDeadline = now + storeTimeoutMs;
  return { deadline: client === undefined ? storeDeadline : Math.min(client, storeDeadline), signal: context.signal };
}

/** The VideoService implementation over the use cases; `storeTimeoutMs` is limits.storeTimeoutMs. */
export function videoServiceHandlers(
  videos: Videos,
  storeTimeoutMs: number = defaultLimits.storeTimeoutMs,
): ServiceImpl<typeof VideoService> {
  const bounds = (context: HandlerContext): StoreCallOptions => storeCallOptions(context, storeTimeoutMs);
  return {
    async createVideo(request, context) {
      const video = await videos.create(callerOf(context), {
        ownerId: request.video?.ownerId ?? '',
        videoId: request.videoId,
        videoIdInVideo: request.video?.videoId ?? '',
        draft: draftFromProto(request.video),
      }, bounds(context));
      return { video: videoToProto(video) };
    },

    async getVideo(request, context) {
      const video = await videos.get(callerOf(context), request.ownerId, request.videoId, bounds(context));
      return { video: videoToProto(video) };
    },

    async listVideos(request, context) {
      const page = await videos.list(callerOf(context), {
        ownerId: request.ownerId,
        pageSize: request.pageSize,
        pageToken: request.pageToken,
        status: statusFromProto(request.status),
      }, bounds(context));
      return { videos: page.videos.map(videoToProto), nextPageToken: page.nextPageToken };
    },

    async updateVideo(request, context) {
      const video = await videos.update(callerOf(context), {
        ownerId: request.video?.ownerId ?? '',
        videoId: request.video?.videoId ?? '',
        etag: request.video?.etag ?? '',
        draft: draftFromProto(request.video),
        paths: request.updateMask?.paths ?? [],
      }, bounds(context));
      return { video: videoToProto(video) };
    },

    async deleteVideo(request, context) {
      await videos.delete(callerOf(context), {
        ownerId: request.ownerId,
        videoId: request.videoId,
        etag: request.etag,
        allowMissing: request.allowMissing,
      }, bounds(context));
      return {};
    },

    async batchGetVideos(request, context) {
      const result = await videos.batchGet(callerOf(context), request.ownerId, request.videoIds, bounds(context));
      return { videos: result.videos.map(videoToProto), missingVideoIds: [...result.missingVideoIds] };
    },
  };
}
