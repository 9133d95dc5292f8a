// VideoService handlers: translate the request, call the use case, translate back.
// Rules live in src/app/videos.ts (STYLE §5); a handler that grows an `if` is wrong here.
import type { ServiceImpl } from '@connectrpc/connect';
import type { Videos } from '../../app/videos.ts';
import type { VideoService } from '../../gen/video/v1/video_service_pb.ts';
import { callerOf } from './auth.ts';
import { draftFromProto, statusFromProto, videoToProto } from './video-messages.ts';

/** The VideoService implementation over the use cases. */
export function videoServiceHandlers(videos: Videos): ServiceImpl<typeof VideoService> {
  return {
    async createVideo(request, context) {
      const video = await videos.create(callerOf(context), {
        ownerId: request.video?.ownerId ?? '',
        videoId: request.videoId,
        videoIdInVideo: request.video?.videoId ?? '',
        draft: draftFromProto(request.video),
      });
      return { video: videoToProto(video) };
    },

    async getVideo(request, context) {
      const video = await videos.get(callerOf(context), request.ownerId, request.videoId);
      return { video: videoToProto(video) };
    },

    async listVideos(request, context) {
      const page = await videos.list(callerOf(context), {
        ownerId: request.ownerId,
        pageSize: request.pageSize,
        pageToken: request.pageToken,
        status: statusFromProto(request.status),
      });
      return { videos: page.videos.map(videoToProto), nextPageToken: page.nextPageToken };
    },

    async updateVideo(request, context) {
      const video = await videos.update(callerOf(context), {
        ownerId: request.video?.ownerId ?? '',
        videoId: request.video?.videoId ?? '',
        etag: request.video?.etag ?? '',
        draft: draftFromProto(request.video),
        paths: request.updateMask?.paths ?? [],
      });
      return { video: videoToProto(video) };
    },

    async deleteVideo(request, context) {
      await videos.delete(callerOf(context), {
        ownerId: request.ownerId,
        videoId: request.videoId,
        etag: request.etag,
        allowMissing: request.allowMissing,
      });
      return {};
    },

    async batchGetVideos(request, context) {
      const result = await videos.batchGet(callerOf(context), request.ownerId, request.videoIds);
      return { videos: result.videos.map(videoToProto), missingVideoIds: [...result.missingVideoIds] };
    },
  };
}
