// The four ways other services call VideoService, behind one small interface so a suite
// can run the same behaviour through each: connect-node's Connect, gRPC-Web and gRPC
// transports, and @grpc/grpc-js with the proto loaded from disk by @grpc/proto-loader.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ConnectError } from '@connectrpc/connect';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { createVideoServiceClient } from '../../src/client.ts';
import { VideoStatus, type Video as VideoMessage } from '../../src/gen/video/v1/video_pb.ts';

/** A video as every client kind reports it, in one comparable shape. */
export interface PlainVideo {
  ownerId: string;
  videoId: string;
  originalName: string;
  title: string;
  status: string;
  originalKey: string;
  transcodedKey: string;
  thumbKey: string;
  durationSeconds: number;
  format: string;
  width: number;
  height: number;
  sizeBytes: string;
  labels: Record<string, string>;
  failureReason: string;
  createTimeMs: number;
  updateTimeMs: number;
  etag: string;
}

/** Input fields of a video; status by name (e.g. 'UPLOADED'), size as a decimal string. */
export type VideoInput = Partial<Omit<PlainVideo, 'createTimeMs' | 'updateTimeMs'>>;

export interface VideoApi {
  create(video: VideoInput, videoId?: string): Promise<PlainVideo>;
  get(ownerId: string, videoId: string): Promise<PlainVideo>;
  list(request: { ownerId?: string; pageSize?: number; pageToken?: string; status?: string }): Promise<{ videos: PlainVideo[]; nextPageToken: string }>;
  update(video: VideoInput, paths: string[]): Promise<PlainVideo>;
  delete(request: { ownerId?: string; videoId: string; etag?: string; allowMissing?: boolean }): Promise<void>;
  batchGet(ownerId: string, videoIds: string[]): Promise<{ videos: PlainVideo[]; missingVideoIds: string[] }>;
  close(): void;
}

/** An RPC failure as every client kind reports it: the gRPC status number and the message. */
export interface RpcFailure {
  code: number;
  message: string;
}

export type ClientKind = 'connect over HTTP/1.1' | 'gRPC-Web over HTTP/1.1' | 'gRPC (connect-node)' | '@grpc/grpc-js + proto-loader';
export const clientKinds: readonly ClientKind[] = ['connect over HTTP/1.1', 'gRPC-Web over HTTP/1.1', 'gRPC (connect-node)', '@grpc/grpc-js + proto-loader'];

/** The failure a call rejected with, in the common shape; throws if it did not reject. */
export async function failureOf(call: Promise<unknown>): Promise<RpcFailure> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ConnectError) return { code: error.code, message: error.rawMessage };
    const grpcError = error as { code?: number; details?: string };
    if (typeof grpcError.code === 'number') return { code: grpcError.code, message: grpcError.details ?? '' };
    throw error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** A client of `kind` for `url`, authenticating with `token`. */
export function videoApi(kind: ClientKind, url: string, token: string | (() => string)): VideoApi {
  return kind === '@grpc/grpc-js + proto-loader' ? grpcJsApi(url, token) : connectApi(kind, url, token);
}

function statusNumber(name: string | undefined): VideoStatus {
  return name === undefined ? VideoStatus.UNSPECIFIED : (VideoStatus[name as keyof typeof VideoStatus] ?? VideoStatus.UNSPECIFIED);
}

function fromConnect(video: VideoMessage | undefined): PlainVideo {
  if (video === undefined) throw new Error('response carries no video');
  return {
    ownerId: video.ownerId,
    videoId: video.videoId,
    originalName: video.originalName,
    title: video.title,
    status: VideoStatus[video.status],
    originalKey: video.originalKey,
    transcodedKey: video.transcodedKey,
    thumbKey: video.thumbKey,
    durationSeconds: video.durationSeconds,
    format: video.format,
    width: video.width,
    height: video.height,
    sizeBytes: video.sizeBytes.toString(),
    labels: { ...video.labels },
    failureReason: video.failureReason,
    createTimeMs: video.createTime ? timestampDate(video.createTime).getTime() : 0,
    updateTimeMs: video.updateTime ? timestampDate(video.updateTime).getTime() : 0,
    etag: video.etag,
  };
}

function toConnect(video: VideoInput) {
  return { ...video, status: statusNumber(video.status), sizeBytes: video.sizeBytes === undefined ? undefined : BigInt(video.sizeBytes) };
}

function connectApi(kind: ClientKind, url: string, token: string | (() => string)): VideoApi {
  const protocol = kind.startsWith('connect') ? 'connect' : kind.startsWith('gRPC-Web') ? 'grpc-web' : 'grpc';
  const client = createVideoServiceClient({ baseUrl: url, token, protocol, httpVersion: protocol === 'grpc' ? '2' : '1.1' });
  return {
    create: async (video, videoId = '') => fromConnect((await client.createVideo({ video: toConnect(video), videoId })).video),
    get: async (ownerId, videoId) => fromConnect((await client.getVideo({ ownerId, videoId })).video),
    list: async (request) => {
      const page = await client.listVideos({ ...request, status: statusNumber(request.status) });
      return { videos: page.videos.map(fromConnect), nextPageToken: page.nextPageToken };
    },
    update: async (video, paths) => fromConnect((await client.updateVideo({ video: toConnect(video), updateMask: { paths } })).video),
    delete: async (request) => {
      await client.deleteVideo(request);
    },
    batchGet: async (ownerId, videoIds) => {
      const result = await client.batchGetVideos({ ownerId, videoIds });
      return { videos: result.videos.map(fromConnect), missingVideoIds: result.missingVideoIds };
    },
    close() {},
  };
}

// proto-loader resolves google/protobuf/*.proto from the copies protobufjs bundles.
const packageDefinition = protoLoader.loadSync('video/v1/video_service.proto', {
  includeDirs: ['proto'],
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});
const loaded = grpc.loadPackageDefinition(packageDefinition) as unknown as {
  video: { v1: { VideoService: new (address: string, credentials: grpc.ChannelCredentials) => grpc.Client } };
};

interface GrpcJsVideo extends Omit<PlainVideo, 'createTimeMs' | 'updateTimeMs' | 'status'> {
  status: string;
  createTime: { seconds: string; nanos: number } | null;
  updateTime: { seconds: string; nanos: number } | null;
}

function millisOf(time: { seconds: string; nanos: number } | null): number {
  return time === null ? 0 : Number(time.seconds) * 1000 + Math.floor(time.nanos / 1e6);
}

function fromGrpcJs(video: GrpcJsVideo | null | undefined): PlainVideo {
  if (!video) throw new Error('response carries no video');
  const { createTime, updateTime, status, ...rest } = video;
  return { ...rest, labels: { ...rest.labels }, status: status.replace(/^VIDEO_STATUS_/, ''), createTimeMs: millisOf(createTime), updateTimeMs: millisOf(updateTime) };
}

function toGrpcJs(video: VideoInput): Record<string, unknown> {
  return { ...video, status: video.status === undefined ? 'VIDEO_STATUS_UNSPECIFIED' : `VIDEO_STATUS_${video.status}` };
}

function grpcJsApi(url: string, token: string | (() => string)): VideoApi {
  const client = new loaded.video.v1.VideoService(new URL(url).host, grpc.credentials.createInsecure()) as grpc.Client &
    Record<string, (request: unknown, metadata: grpc.Metadata, callback: (error: grpc.ServiceError | null, response: any) => void) => void>;
  const call = <T>(method: string, request: unknown): Promise<T> =>
    new Promise((resolve, reject) => {
      const metadata = new grpc.Metadata();
      metadata.set('authorization', `Bearer ${typeof token === 'function' ? token() : token}`);
      client[method]!(request, metadata, (error, response) => (error ? reject(error) : resolve(response as T)));
    });
  return {
    create: async (video, videoId = '') => fromGrpcJs((await call<{ video: GrpcJsVideo }>('CreateVideo', { video: toGrpcJs(video), videoId })).video),
    get: async (ownerId, videoId) => fromGrpcJs((await call<{ video: GrpcJsVideo }>('GetVideo', { ownerId, videoId })).video),
    list: async (request) => {
      const page = await call<{ videos: GrpcJsVideo[]; nextPageToken: string }>('ListVideos', {
        ...request,
        status: request.status === undefined ? 'VIDEO_STATUS_UNSPECIFIED' : `VIDEO_STATUS_${request.status}`,
      });
      return { videos: page.videos.map(fromGrpcJs), nextPageToken: page.nextPageToken };
    },
    update: async (video, paths) => fromGrpcJs((await call<{ video: GrpcJsVideo }>('UpdateVideo', { video: toGrpcJs(video), updateMask: { paths } })).video),
    delete: async (request) => {
      await call('DeleteVideo', request);
    },
    batchGet: async (ownerId, videoIds) => {
      const result = await call<{ videos: GrpcJsVideo[]; missingVideoIds: string[] }>('BatchGetVideos', { ownerId, videoIds });
      return { videos: result.videos.map(fromGrpcJs), missingVideoIds: result.missingVideoIds };
    },
    close: () => client.close(),
  };
}
