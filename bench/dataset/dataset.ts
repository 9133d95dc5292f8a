// The data every bench run loads before timing, described once so the SQLite and the
// DynamoDB loaders write the same videos and the scenarios know which keys exist.
// Ids are derived from (owner, index) rather than random, so a run is repeatable and no
// manifest has to travel between the loader and the scenarios.
import { newVideo } from '../../src/domain/new-video.ts';
import { videoStatuses, type Video } from '../../src/domain/video.ts';

/** How much data to load: `owners` × `videosPerOwner`, plus one owner with `bigOwnerVideos`. */
export interface DatasetSize {
  readonly owners: number;
  readonly videosPerOwner: number;
  readonly bigOwnerVideos: number;
  /** UPLOADED videos of the claim owner: one per concurrent claimer, so claims never race. */
  readonly claimVideos: number;
}

/** The owners the scenarios act as (each is a token's `sub`). */
export const owners = {
  /** GetVideo, BatchGetVideos and the baselines' constant answer are this owner's videos. */
  reader: ownerName(0),
  /** The 90/10 mix reads and writes this owner's videos. */
  mixer: ownerName(1),
  /** UpdateVideo (title) rewrites one video of this owner. */
  updater: ownerName(2),
  /** ListVideos pages through this owner's long list. */
  big: 'owner-big',
  /** CreateVideo adds videos here, so no read scenario's data grows. */
  creator: 'owner-creator',
  /** The claim cycle moves this owner's videos UPLOADED → TRANSCODING → UPLOADED. */
  claimer: 'owner-claimer',
  /** The ClaimVideo cycle's workers: a transcoding service, with the admin scope. */
  worker: 'transcoder',
} as const;

/** The owners whose tokens carry the admin scope. */
export const adminOwners: ReadonlySet<string> = new Set([owners.worker]);

// 2023-01-01: every loaded video is older than anything CreateVideo adds during a run.
const baseTimeMs = Date.UTC(2023, 0, 1);

/** owner-0000 … owner-0999. */
export function ownerName(index: number): string {
  return `owner-${String(index).padStart(4, '0')}`;
}

/** A lowercase canonical UUID (version 8 bits: custom) made from two counters. */
export function videoIdOf(ownerIndex: number, videoIndex: number): string {
  const owner = ownerIndex.toString(16).padStart(8, '0');
  const video = videoIndex.toString(16).padStart(12, '0');
  return `${owner}-0000-8000-8000-${video}`;
}

// The owner part of the ids of the named owners outside owner-NNNN.
const bigOwnerIndex = 0xb1600000;
const claimOwnerIndex = 0xc1a10000;

/** One loaded video: typical field sizes, so responses weigh what real ones do. */
function video(ownerId: string, videoId: string, index: number, createTimeMs: number, status: Video['status']): Video {
  return newVideo(
    { ownerId, videoId },
    {
      originalName: `clip-${index}.mp4`,
      title: `Clip number ${index}`,
      status,
      originalKey: `originals/${ownerId}/clip-${index}.mp4`,
      transcodedKey: `transcoded/${ownerId}/clip-${index}.mp4`,
      thumbKey: `thumbs/${ownerId}/clip-${index}.jpg`,
      durationSeconds: 60 + (index % 600),
      format: 'mp4',
      width: 1920,
      height: 1080,
      sizeBytes: 50_000_000n + BigInt(index),
      labels: { series: `s${index % 10}`, lang: 'en' },
    },
    new Date(createTimeMs),
  );
}

/** Video `videoIndex` of owner-NNNN (`ownerIndex`); owners' times interleave, one second apart. */
export function ownerVideo(ownerIndex: number, videoIndex: number): Video {
  const createTimeMs = baseTimeMs + (videoIndex * 10_000 + ownerIndex) * 1000;
  return video(ownerName(ownerIndex), videoIdOf(ownerIndex, videoIndex), videoIndex, createTimeMs, 'COMPLETED');
}

/** The id of video `index` of `owners.reader` (GetVideo reads index 0). */
export function readerVideoId(index: number): string {
  return videoIdOf(0, index);
}

/** The id of video `index` of `owners.mixer`. */
export function mixerVideoId(index: number): string {
  return videoIdOf(1, index);
}

/** The id of the video UpdateVideo rewrites. */
export const updaterVideoId = videoIdOf(2, 0);

/** The id of claim video `index`. */
export function claimVideoId(index: number): string {
  return videoIdOf(claimOwnerIndex, index);
}

/** Video `index` of the big owner, whose `createTime` grows with `index` (index 0 is the oldest). */
export function bigOwnerVideo(index: number): Video {
  return video(owners.big, videoIdOf(bigOwnerIndex, index), index, baseTimeMs + index, videoStatuses[index % videoStatuses.length]!);
}

/** Every video of the dataset, in batches of `batchSize`, so a loader never holds them all at once. */
export function* videoBatches(size: DatasetSize, batchSize: number): Generator<Video[]> {
  let batch: Video[] = [];
  const push = function* (one: Video): Generator<Video[]> {
    batch.push(one);
    if (batch.length === batchSize) {
      yield batch;
      batch = [];
    }
  };
  for (let o = 0; o < size.owners; o++) {
    for (let v = 0; v < size.videosPerOwner; v++) yield* push(ownerVideo(o, v));
  }
  for (let i = 0; i < size.bigOwnerVideos; i++) yield* push(bigOwnerVideo(i));
  for (let i = 0; i < size.claimVideos; i++) {
    yield* push(video(owners.claimer, claimVideoId(i), i, baseTimeMs + i, 'UPLOADED'));
  }
  if (batch.length > 0) yield batch;
}

/** How many videos `videoBatches(size)` yields. */
export function videoCount(size: DatasetSize): number {
  return size.owners * size.videosPerOwner + size.bigOwnerVideos + size.claimVideos;
}
