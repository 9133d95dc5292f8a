// What the Node driver sends, for the scenarios whose request changes from call to call
// (h2load sends one body for every request): the 90/10 read/write mix and the claim
// cycle, plus GetVideo in the same driver so their ratios compare like with like.
import { fromBinary } from '@bufbuild/protobuf';
import { FieldMaskSchema } from '@bufbuild/protobuf/wkt';
import { create } from '@bufbuild/protobuf';
import { VideoStatus } from '../../src/gen/video/v1/video_pb.ts';
import {
  ClaimVideoRequestSchema,
  ClaimVideoResponseSchema,
  GetVideoRequestSchema,
  GetVideoResponseSchema,
  UpdateVideoRequestSchema,
  UpdateVideoResponseSchema,
} from '../../src/gen/video/v1/video_service_pb.ts';
import { claimVideoId, mixerVideoId } from '../dataset/dataset.ts';
import { firstMessage, grpcFrame } from '../grpc-frame.ts';

const service = '/video.v1.VideoService';
const getPath = `${service}/GetVideo`;
const claimPath = `${service}/ClaimVideo`;
const updatePath = `${service}/UpdateVideo`;

/** One request to send. */
export interface Call {
  readonly path: string;
  readonly body: Buffer;
}

/** A workload: which call a slot (one stream of fixed concurrency) sends next, and what it learns from the answer. */
export interface Workload {
  /** Runs before the clock starts (reads the state the workload depends on). */
  prepare?(send: (slot: number, call: Call) => Promise<Buffer | undefined>, slots: number): Promise<void>;
  next(slot: number): Call;
  answered?(slot: number, body: Buffer | undefined): void;
}

/** Which workload, and its parameters; passed to the driver process as JSON. */
export type WorkloadSpec =
  | { readonly kind: 'get'; readonly videos: number }
  | { readonly kind: 'mix'; readonly videos: number; readonly writePercent: number }
  | { readonly kind: 'claim' }
  | { readonly kind: 'claim-video' };

function getCalls(videos: number): Call[] {
  return Array.from({ length: videos }, (_, i) => ({ path: getPath, body: grpcFrame(GetVideoRequestSchema, { videoId: mixerVideoId(i) }) }));
}

const titleMask = create(FieldMaskSchema, { paths: ['title'] });
const statusMask = create(FieldMaskSchema, { paths: ['status'] });

/** GetVideo of a random video among the mixer's `videos`. */
function readOnly(videos: number): Workload {
  const reads = getCalls(videos);
  return { next: () => reads[Math.floor(Math.random() * reads.length)]! };
}

/** `writePercent` % unconditional UpdateVideo (title) and the rest GetVideo, on random videos of the mixer. */
function mix(videos: number, writePercent: number): Workload {
  const reads = getCalls(videos);
  const writes = Array.from({ length: videos }, (_, i) => ({
    path: updatePath,
    body: grpcFrame(UpdateVideoRequestSchema, { video: { videoId: mixerVideoId(i), title: `Mixed title ${i}` }, updateMask: titleMask }),
  }));
  return {
    next() {
      const list = Math.random() * 100 < writePercent ? writes : reads;
      return list[Math.floor(Math.random() * list.length)]!;
    },
  };
}

/**
 * The worker's claim: each slot owns one UPLOADED video of the claim owner and moves it
 * UPLOADED → TRANSCODING (the claim) and back TRANSCODING → UPLOADED (a release), each
 * an etag-conditional UpdateVideo carrying the etag of the previous answer. Both calls
 * are counted; they cost the same. Slots never share a video, so no call loses a race.
 */
function claimCycle(): Workload {
  const state: { etag: string; status: VideoStatus }[] = [];
  const update = (slot: number, status: VideoStatus, etag: string): Call => ({
    path: updatePath,
    body: grpcFrame(UpdateVideoRequestSchema, { video: { videoId: claimVideoId(slot), status, etag }, updateMask: statusMask }),
  });
  return {
    async prepare(send, slots) {
      await Promise.all(
        Array.from({ length: slots }, async (_, slot) => {
          const body = await send(slot, { path: getPath, body: grpcFrame(GetVideoRequestSchema, { videoId: claimVideoId(slot) }) });
          const video = body && fromBinary(GetVideoResponseSchema, firstMessage(body)!).video;
          if (video === undefined) throw new Error(`claim video ${claimVideoId(slot)} cannot be read`);
          state[slot] = { etag: video.etag, status: video.status };
        }),
      );
    },
    next(slot) {
      const now = state[slot]!;
      return update(slot, now.status === VideoStatus.UPLOADED ? VideoStatus.TRANSCODING : VideoStatus.UPLOADED, now.etag);
    },
    answered(slot, body) {
      const video = body && fromBinary(UpdateVideoResponseSchema, firstMessage(body)!).video;
      if (video !== undefined) state[slot] = { etag: video.etag, status: video.status };
    },
  };
}

/**
 * A transcoding worker's loop (SPEC §9): ClaimVideo (across every owner, the oldest
 * waiting first), then the finishing UpdateVideo, etag-conditional on the claim's etag.
 * The finish gives the video back (TRANSCODING → UPLOADED) rather than completing it, so
 * the queue never runs dry however long the run; a give-back costs what a completion
 * does (one conditional write that ends the claim). Both calls are counted.
 */
function claimVideoCycle(): Workload {
  const held: Array<{ ownerId: string; videoId: string; etag: string } | undefined> = [];
  const claims: Call[] = [];
  return {
    next(slot) {
      const video = held[slot];
      if (video === undefined) {
        claims[slot] ??= { path: claimPath, body: grpcFrame(ClaimVideoRequestSchema, { workerId: `bench-worker-${slot}`, leaseDuration: { seconds: 60n } }) };
        return claims[slot]!;
      }
      return { path: updatePath, body: grpcFrame(UpdateVideoRequestSchema, { video: { ...video, status: VideoStatus.UPLOADED }, updateMask: statusMask }) };
    },
    answered(slot, body) {
      const message = body && firstMessage(body);
      if (held[slot] !== undefined || message === undefined) {
        held[slot] = undefined;
        return;
      }
      const video = fromBinary(ClaimVideoResponseSchema, message).video;
      held[slot] = video && { ownerId: video.ownerId, videoId: video.videoId, etag: video.etag };
    },
  };
}

/** The workload a spec names. */
export function workload(spec: WorkloadSpec): Workload {
  switch (spec.kind) {
    case 'get':
      return readOnly(spec.videos);
    case 'mix':
      return mix(spec.videos, spec.writePercent);
    case 'claim':
      return claimCycle();
    case 'claim-video':
      return claimVideoCycle();
  }
}
