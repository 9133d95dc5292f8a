// The calls the scenarios send, built once per run: the procedure, the encoded body
// (a gRPC frame of protobuf bytes, or Connect JSON) and the owner whose token goes with
// it, plus what a correct answer holds, which the probe checks before any timing.
import { fromBinary } from '@bufbuild/protobuf';
import { FieldMaskSchema } from '@bufbuild/protobuf/wkt';
import {
  BatchGetVideosRequestSchema,
  BatchGetVideosResponseSchema,
  CreateVideoRequestSchema,
  CreateVideoResponseSchema,
  GetVideoRequestSchema,
  GetVideoResponseSchema,
  ListVideosRequestSchema,
  ListVideosResponseSchema,
  UpdateVideoRequestSchema,
  UpdateVideoResponseSchema,
} from '../src/gen/video/v1/video_service_pb.ts';
import { create } from '@bufbuild/protobuf';
import { bigOwnerVideo, owners, readerVideoId, updaterVideoId, type DatasetSize } from './dataset/dataset.ts';
import { grpcFrame } from './grpc-frame.ts';
import { pageTokenAfter } from './tokens.ts';

/** One kind of call, ready to send many times. */
export interface CallSpec {
  readonly procedure: string;
  readonly protocol: 'grpc' | 'connect-json';
  readonly body: Buffer;
  /** The token's subject. */
  readonly owner: string;
  /** Why a response is wrong, or undefined when it is what the scenario expects. */
  check(message: Uint8Array): string | undefined;
}

const service = '/video.v1.VideoService';
export const pageSize = 50;
export const batchSize = 50;

function expectEqual(what: string, actual: unknown, expected: unknown): string | undefined {
  return actual === expected ? undefined : `${what}: expected ${String(expected)}, got ${String(actual)}`;
}

/** Every call the scenarios make, for a dataset of `size` and page tokens keyed by `jwtSecret`. */
export function buildCalls(size: DatasetSize, jwtSecret: string) {
  const getVideo: CallSpec = {
    procedure: `${service}/GetVideo`,
    protocol: 'grpc',
    owner: owners.reader,
    body: grpcFrame(GetVideoRequestSchema, { videoId: readerVideoId(0) }),
    check: (bytes) => expectEqual('video_id', fromBinary(GetVideoResponseSchema, bytes).video?.videoId, readerVideoId(0)),
  };
  const batchIds = Array.from({ length: batchSize }, (_, i) => readerVideoId(i));
  // The deep page skips all but the last `pageSize` videos: its cursor is the video just before them.
  const deepDepth = size.bigOwnerVideos - pageSize;
  const firstNewest = bigOwnerVideo(size.bigOwnerVideos - 1).videoId;
  const listCheck = (firstId: string) => (bytes: Uint8Array) => {
    const page = fromBinary(ListVideosResponseSchema, bytes);
    return expectEqual('page length', page.videos.length, pageSize) ?? expectEqual('first video_id', page.videos[0]?.videoId, firstId);
  };
  return {
    getVideo,
    getVideoJson: {
      procedure: getVideo.procedure,
      protocol: 'connect-json',
      owner: owners.reader,
      body: Buffer.from(JSON.stringify({ videoId: readerVideoId(0) })),
      check: (bytes) => {
        const answer = JSON.parse(Buffer.from(bytes).toString('utf8')) as { video?: { videoId?: string } };
        return expectEqual('video_id', answer.video?.videoId, readerVideoId(0));
      },
    } satisfies CallSpec,
    batchGetVideos: {
      procedure: `${service}/BatchGetVideos`,
      protocol: 'grpc',
      owner: owners.reader,
      body: grpcFrame(BatchGetVideosRequestSchema, { videoIds: batchIds }),
      check: (bytes) => expectEqual('videos found', fromBinary(BatchGetVideosResponseSchema, bytes).videos.length, batchSize),
    } satisfies CallSpec,
    listFirstPage: {
      procedure: `${service}/ListVideos`,
      protocol: 'grpc',
      owner: owners.big,
      body: grpcFrame(ListVideosRequestSchema, { pageSize }),
      check: listCheck(firstNewest),
    } satisfies CallSpec,
    listDeepPage: {
      procedure: `${service}/ListVideos`,
      protocol: 'grpc',
      owner: owners.big,
      body: grpcFrame(ListVideosRequestSchema, { pageSize, pageToken: pageTokenAfter(jwtSecret, bigOwnerVideo(size.bigOwnerVideos - deepDepth)) }),
      check: listCheck(bigOwnerVideo(pageSize - 1).videoId),
    } satisfies CallSpec,
    // No video_id: the service mints one per call, so one body serves every call.
    createVideo: {
      procedure: `${service}/CreateVideo`,
      protocol: 'grpc',
      owner: owners.creator,
      body: grpcFrame(CreateVideoRequestSchema, {
        video: {
          originalName: 'upload.mp4',
          title: 'A new upload',
          originalKey: 'originals/owner-creator/upload.mp4',
          format: 'mp4',
          sizeBytes: 73_400_320n,
          labels: { series: 's1', lang: 'en' },
        },
      }),
      check: (bytes) => expectEqual('etag', fromBinary(CreateVideoResponseSchema, bytes).video?.etag, 'v1'),
    } satisfies CallSpec,
    // Unconditional (no etag), so the same body succeeds every time.
    updateVideo: {
      procedure: `${service}/UpdateVideo`,
      protocol: 'grpc',
      owner: owners.updater,
      body: grpcFrame(UpdateVideoRequestSchema, {
        video: { videoId: updaterVideoId, title: 'Retitled by the bench' },
        updateMask: create(FieldMaskSchema, { paths: ['title'] }),
      }),
      check: (bytes) => expectEqual('title', fromBinary(UpdateVideoResponseSchema, bytes).video?.title, 'Retitled by the bench'),
    } satisfies CallSpec,
    deepDepth,
  };
}

export type Calls = ReturnType<typeof buildCalls>;
