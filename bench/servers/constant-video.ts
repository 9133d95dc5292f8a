// The one answer both baselines give: GetVideoResponse for the video the GetVideo
// scenario reads from videosvc, so every server sends the same bytes' worth of message.
import { create } from '@bufbuild/protobuf';
import { videoToProto } from '../../src/adapters/rpc/video-messages.ts';
import { GetVideoResponseSchema, type GetVideoResponse } from '../../src/gen/video/v1/video_service_pb.ts';
import { VideoStatus, type Video as VideoMessage } from '../../src/gen/video/v1/video_pb.ts';
import { ownerVideo } from '../dataset/dataset.ts';

/** The protobuf-es message (connect-node baseline), built once. */
export function constantGetVideoResponse(): GetVideoResponse {
  return create(GetVideoResponseSchema, { video: videoToProto(ownerVideo(0, 0)) });
}

/**
 * The same answer as the plain object @grpc/proto-loader serializes (options longs:
 * String, enums: String): what a grpc-js server's handler hands to its callback.
 */
export function constantGetVideoObject(): Record<string, unknown> {
  const video = constantGetVideoResponse().video as VideoMessage;
  const timestamp = (value: { seconds: bigint; nanos: number } | undefined) =>
    value === undefined ? undefined : { seconds: String(value.seconds), nanos: value.nanos };
  return {
    video: {
      ownerId: video.ownerId,
      videoId: video.videoId,
      originalName: video.originalName,
      title: video.title,
      status: `VIDEO_STATUS_${VideoStatus[video.status]}`,
      originalKey: video.originalKey,
      transcodedKey: video.transcodedKey,
      thumbKey: video.thumbKey,
      durationSeconds: video.durationSeconds,
      format: video.format,
      width: video.width,
      height: video.height,
      sizeBytes: String(video.sizeBytes),
      labels: { ...video.labels },
      createTime: timestamp(video.createTime),
      updateTime: timestamp(video.updateTime),
      etag: video.etag,
    },
  };
}
