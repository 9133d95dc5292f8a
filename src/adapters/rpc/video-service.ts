// VideoService handlers: translate the request, call the use case, translate back.
// Rules live in src/app/videos.ts (STYLE §5); a handler that grows an `if` is wrong here.
// The calls take a plain CallScope (caller, deadline, signal) rather than connect's
// HandlerContext, so the lean unary gRPC path (unary-fast-path.ts) runs exactly the same code as
// connect-node without building a HandlerContext per call.
import type { MessageInitShape } from '@bufbuild/protobuf';
import { durationMs, type Duration } from '@bufbuild/protobuf/wkt';
import type { HandlerContext, ServiceImpl } from '@connectrpc/connect';
import { defaultLimits } from '../../app/limits.ts';
import type { Claims } from '../../app/claims.ts';
import type { Principal } from '../../app/principal.ts';
import type { Videos } from '../../app/videos.ts';
import type { StoreCallOptions } from '../../domain/ports.ts';
import type { VideoService } from '../../gen/video/v1/video_service_pb.ts';
import { callerOf } from './auth.ts';
import { callDeadlineKey } from './call-guards.ts';
import { draftFromProto, statusFromProto, videoToProto } from './video-messages.ts';

/** What a VideoService call needs to know about its call, whichever transport carried it. */
export interface CallScope {
  readonly caller: Principal;
  /** The client's deadline (epoch ms), if it set one. */
  readonly deadline: number | undefined;
  /** Aborted when the client goes away or its deadline passes; absent when nothing can abort the call. */
  readonly signal: AbortSignal | undefined;
  /** When the request was received (process.hrtime.bigint()), if known: see StoreCallOptions.receivedNs. */
  readonly receivedNs?: bigint;
}

type Methods = (typeof VideoService)['method'];
type MethodName = keyof Methods;
type Input<M extends MethodName> = Methods[M]['input'];
type Output<M extends MethodName> = Methods[M]['output'];

/** One unary VideoService call over a decoded request. */
export type VideoCall<M extends MethodName> = (
  request: import('@bufbuild/protobuf').MessageShape<Input<M>>,
  scope: CallScope,
) => Promise<MessageInitShape<Output<M>>>;

export type VideoCalls = { readonly [M in MethodName]: VideoCall<M> };

/**
 * What bounds the store calls of one RPC: the call's signal, and a deadline at the
 * client's deadline or `storeTimeoutMs` from now, whichever is sooner (SPEC §6). Without
 * a client deadline the store still answers by then (UNAVAILABLE). The client's deadline
 * is the deadline guard's, so both stop at the same instant.
 */
export function storeCallOptions(scope: Pick<CallScope, 'deadline' | 'signal' | 'receivedNs'>, storeTimeoutMs: number): StoreCallOptions {
  const storeDeadline = Date.now() + storeTimeoutMs;
  const client = scope.deadline;
  return {
    deadline: client === undefined ? storeDeadline : Math.min(client, storeDeadline),
    signal: scope.signal,
    receivedNs: scope.receivedNs,
  };
}

/** The use cases behind VideoService. */
export interface VideoUseCases {
  readonly videos: Videos;
  readonly claims: Claims;
}

/** A Duration as milliseconds; unset is 0. Out-of-range values are the use case's to refuse. */
function msOf(duration: Duration | undefined): number {
  return duration === undefined ? 0 : durationMs(duration);
}

/** The VideoService calls over the use cases; `storeTimeoutMs` is limits.storeTimeoutMs. */
export function videoServiceCalls(
  { videos, claims }: VideoUseCases,
  storeTimeoutMs: number = defaultLimits.storeTimeoutMs,
): VideoCalls {
  const bounds = (scope: CallScope): StoreCallOptions => storeCallOptions(scope, storeTimeoutMs);
  return {
    async createVideo(request, scope) {
      const video = await videos.create(scope.caller, {
        ownerId: request.video?.ownerId ?? '',
        videoId: request.videoId,
        videoIdInVideo: request.video?.videoId ?? '',
        draft: draftFromProto(request.video),
      }, bounds(scope));
      return { video: videoToProto(video) };
    },

    async getVideo(request, scope) {
      const video = await videos.get(scope.caller, request.ownerId, request.videoId, bounds(scope));
      return { video: videoToProto(video) };
    },

    async listVideos(request, scope) {
      const page = await videos.list(scope.caller, {
        ownerId: request.ownerId,
        pageSize: request.pageSize,
        pageToken: request.pageToken,
        status: statusFromProto(request.status),
      }, bounds(scope));
      return { videos: page.videos.map(videoToProto), nextPageToken: page.nextPageToken };
    },

    async updateVideo(request, scope) {
      const video = await videos.update(scope.caller, {
        ownerId: request.video?.ownerId ?? '',
        videoId: request.video?.videoId ?? '',
        etag: request.video?.etag ?? '',
        draft: draftFromProto(request.video),
        paths: request.updateMask?.paths ?? [],
      }, bounds(scope));
      return { video: videoToProto(video) };
    },

    async deleteVideo(request, scope) {
      await videos.delete(scope.caller, {
        ownerId: request.ownerId,
        videoId: request.videoId,
        etag: request.etag,
        allowMissing: request.allowMissing,
      }, bounds(scope));
      return {};
    },

    async batchGetVideos(request, scope) {
      const result = await videos.batchGet(scope.caller, request.ownerId, request.videoIds, bounds(scope));
      return { videos: result.videos.map(videoToProto), missingVideoIds: [...result.missingVideoIds] };
    },

    async claimVideo(request, scope) {
      const video = await claims.claim(
        scope.caller,
        { workerId: request.workerId, leaseMs: msOf(request.leaseDuration), waitMs: msOf(request.waitDuration) },
        // A long poll makes several store calls: each gets its own store timeout.
        { deadline: scope.deadline, signal: scope.signal, storeOptions: () => bounds(scope) },
      );
      return { video: video === undefined ? undefined : videoToProto(video) };
    },

    async renewClaim(request, scope) {
      const video = await claims.renew(scope.caller, {
        ownerId: request.ownerId,
        videoId: request.videoId,
        workerId: request.workerId,
        leaseMs: msOf(request.leaseDuration),
      }, bounds(scope));
      return { video: videoToProto(video) };
    },
  };
}

/** The scope of a connect-node call: the auth interceptor's caller, the deadline guard's deadline. */
function scopeOf(context: HandlerContext): CallScope {
  const timeoutMs = context.timeoutMs();
  const deadline = context.values.get(callDeadlineKey) ?? (timeoutMs === undefined ? undefined : Date.now() + timeoutMs);
  return { caller: callerOf(context), deadline, signal: context.signal };
}

/** The VideoService implementation for connect-node, over the same calls. */
export function videoServiceHandlers(
  useCases: VideoUseCases | VideoCalls,
  storeTimeoutMs: number = defaultLimits.storeTimeoutMs,
): ServiceImpl<typeof VideoService> {
  const calls = 'getVideo' in useCases ? useCases : videoServiceCalls(useCases, storeTimeoutMs);
  return {
    createVideo: (request, context) => calls.createVideo(request, scopeOf(context)),
    getVideo: (request, context) => calls.getVideo(request, scopeOf(context)),
    listVideos: (request, context) => calls.listVideos(request, scopeOf(context)),
    updateVideo: (request, context) => calls.updateVideo(request, scopeOf(context)),
    deleteVideo: (request, context) => calls.deleteVideo(request, scopeOf(context)),
    batchGetVideos: (request, context) => calls.batchGetVideos(request, scopeOf(context)),
    claimVideo: (request, context) => calls.claimVideo(request, scopeOf(context)),
    renewClaim: (request, context) => calls.renewClaim(request, scopeOf(context)),
  };
}
