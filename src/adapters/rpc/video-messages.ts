// Proto ↔ domain translation for videos. Generated types stop here (STYLE §2): handlers
// hand domain values to the use cases and turn results back into messages.
import { TimestampSchema, type Timestamp } from '@bufbuild/protobuf/wkt';
import type { VideoDraft } from '../../domain/validation.ts';
import { etagOf, type Video, type VideoFields, type VideoStatus } from '../../domain/video.ts';
import type { Claim } from '../../domain/claim.ts';
import { ClaimSchema, VideoSchema, VideoStatus as ProtoStatus, type Claim as ClaimMessage, type Video as VideoMessage } from '../../gen/video/v1/video_pb.ts';

const toProtoStatus: Readonly<Record<VideoStatus, ProtoStatus>> = {
  UPLOADED: ProtoStatus.UPLOADED,
  TRANSCODING: ProtoStatus.TRANSCODING,
  TRANSCODED: ProtoStatus.TRANSCODED,
  COMPLETED: ProtoStatus.COMPLETED,
  FAILED: ProtoStatus.FAILED,
};

const fromProtoStatus = new Map<number, VideoStatus>(
  Object.entries(toProtoStatus).map(([name, number]) => [number, name as VideoStatus]),
);

/**
 * The status name an enum number stands for: 0 (UNSPECIFIED) → undefined; a number this
 * build does not know → its digits, so the domain refuses it by name rather than guessing.
 */
export function statusFromProto(status: number): string | undefined {
  if (status === ProtoStatus.UNSPECIFIED) return undefined;
  return fromProtoStatus.get(status) ?? String(status);
}

/** The enum number of a domain status. */
export function statusToProto(status: VideoStatus): ProtoStatus {
  return toProtoStatus[status];
}

/**
 * Every client-settable field of a Video message, unchecked. Output-only fields
 * (create/update time, etag) and the key are not part of a draft and are ignored. Every
 * settable field is named, so a field added to VideoFields is a type error here until it is read.
 */
export function draftFromProto(video: VideoMessage | undefined): VideoDraft {
  if (video === undefined) return {};
  return {
    originalName: video.originalName,
    title: video.title,
    status: statusFromProto(video.status),
    originalKey: video.originalKey,
    transcodedKey: video.transcodedKey,
    thumbKey: video.thumbKey,
    durationSeconds: video.durationSeconds,
    format: video.format,
    width: video.width,
    height: video.height,
    sizeBytes: video.sizeBytes,
    labels: video.labels,
    failureReason: video.failureReason,
  } satisfies { [K in keyof VideoFields]: VideoDraft[K] | undefined };
}

/**
 * A stored video as the wire message, with its etag derived from the version. Built as a
 * literal, not with protobuf-es `create` (a protobuf-es v2 message is a plain object with its
 * `$typeName`): `create` walks the descriptor and fills defaults reflectively, and was ~5 %
 * of a GetVideo's CPU and allocation (issue 10 profile). Every field is named, so a field
 * added to the proto is a type error here until it is mapped.
 */
export function videoToProto(video: Video): VideoMessage {
  const message: VideoMessage = {
    $typeName: VideoSchema.typeName,
    ownerId: video.ownerId,
    videoId: video.videoId,
    originalName: video.originalName,
    title: video.title,
    status: statusToProto(video.status),
    originalKey: video.originalKey,
    transcodedKey: video.transcodedKey,
    thumbKey: video.thumbKey,
    durationSeconds: video.durationSeconds,
    format: video.format,
    width: video.width,
    height: video.height,
    sizeBytes: video.sizeBytes,
    labels: { ...video.labels },
    createTime: timestampOf(video.createTime),
    updateTime: timestampOf(video.updateTime),
    etag: etagOf(video.version),
    failureReason: video.failureReason,
    attemptCount: video.attemptCount,
  } satisfies { [K in keyof Required<Omit<VideoMessage, '$unknown' | 'claim'>>]: VideoMessage[K] };
  // An unset message field is no property at all in what create() makes, so the claim is
  // added only when there is one.
  if (video.claim !== undefined) message.claim = claimToProto(video.claim);
  return message;
}

function claimToProto(claim: Claim): ClaimMessage {
  return {
    $typeName: ClaimSchema.typeName,
    workerId: claim.workerId,
    expireTime: timestampOf(claim.expireTime),
  } satisfies Required<Omit<ClaimMessage, '$unknown'>>;
}

/** What protobuf-es `timestampFromDate` makes, as a literal (see videoToProto). */
function timestampOf(date: Date): Timestamp {
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  return { $typeName: TimestampSchema.typeName, seconds: BigInt(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}
