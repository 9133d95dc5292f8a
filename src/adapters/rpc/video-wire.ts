// Protobuf encoding of the VideoService answers that carry videos, written by hand for the
// lean gRPC path (unary-fast-path.ts). protobuf-es's toBinary is reflective: it walks the
// descriptor for every field and encodes each string through a TextEncoder, and was 12 % of
// a GetVideo's CPU on the fast path (issue 10 profile) — more than the SQLite read. This
// writes the same bytes in one pass over a buffer sized up front, as generated encoders do.
// test/adapters/rpc-video-wire.test.ts pins it byte for byte to toBinary on arbitrary videos,
// so a field added to the proto without this file fails there instead of going missing.
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { Timestamp } from '@bufbuild/protobuf/wkt';
import { mapsEveryField } from '../../domain/exhaustive.ts';
import type { Video } from '../../gen/video/v1/video_pb.ts';
import type {
  BatchGetVideosResponseSchema,
  ClaimVideoResponseSchema,
  CreateVideoResponseSchema,
  GetVideoResponseSchema,
  ListVideosResponseSchema,
  RenewClaimResponseSchema,
  UpdateVideoResponseSchema,
} from '../../gen/video/v1/video_service_pb.ts';

const lengthDelimited = 2;
const varintType = 0;
const fixed64Type = 1;

const tag = (field: number, wireType: number): number => (field << 3) | wireType;

function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

// Varints of values up to 2^53 - 1 are written with Number arithmetic: bigint shifts
// allocate a new bigint per 7 bits, and were 2 % of a GetVideo's allocation (issue 10).
const maxSafeBig = BigInt(Number.MAX_SAFE_INTEGER);

function wideVarintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    size += 1;
  }
  return size;
}

function bigVarintSize(value: bigint): number {
  if (value <= maxSafeBig) return wideVarintSize(Number(value));
  let size = 1;
  while (value >= 0x80n) {
    value >>= 7n;
    size += 1;
  }
  return size;
}

/** A writer over a buffer of exactly the computed size, after `headroom` bytes left for the caller. */
class Writer {
  readonly buffer: Buffer;
  offset: number;

  constructor(size: number, headroom: number) {
    this.buffer = Buffer.allocUnsafe(headroom + size);
    this.offset = headroom;
  }

  varint(value: number): void {
    while (value >= 0x80) {
      this.buffer[this.offset++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    this.buffer[this.offset++] = value;
  }

  /** A varint of a whole number up to 2^53 - 1 (`& 0x7f` keeps the low 7 bits of any such number). */
  wideVarint(value: number): void {
    while (value >= 0x80) {
      this.buffer[this.offset++] = (value & 0x7f) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.buffer[this.offset++] = value;
  }

  bigVarint(value: bigint): void {
    if (value <= maxSafeBig) return this.wideVarint(Number(value));
    while (value >= 0x80n) {
      this.buffer[this.offset++] = Number(value & 0x7fn) | 0x80;
      value >>= 7n;
    }
    this.buffer[this.offset++] = Number(value);
  }

  string(field: number, value: string, bytes: number): void {
    this.varint(tag(field, lengthDelimited));
    this.varint(bytes);
    this.offset += this.buffer.write(value, this.offset, bytes, 'utf8');
  }
}

// Sizes are computed first (one Buffer.byteLength per string, native), kept in `lengths` in
// the order the writer then meets the strings, so no string is measured twice.
type Lengths = number[];

function stringFieldSize(field: number, value: string, lengths: Lengths): number {
  if (value === '') return 0;
  const bytes = Buffer.byteLength(value, 'utf8');
  lengths.push(bytes);
  return varintSize(tag(field, lengthDelimited)) + varintSize(bytes) + bytes;
}

function timestampSize(value: Timestamp): number {
  let size = 0;
  if (value.seconds !== 0n) size += 1 + int64Size(value.seconds);
  if (value.nanos !== 0) size += 1 + int32Size(value.nanos);
  return size;
}

// int64 and int32 encode negative values as 10-byte two's-complement varints.
function int64Size(value: bigint): number {
  return bigVarintSize(value >= 0n ? value : BigInt.asUintN(64, value));
}

function int32Size(value: number): number {
  return value < 0 ? 10 : varintSize(value);
}

function videoSize(video: Video, lengths: Lengths): number {
  let size = 0;
  size += stringFieldSize(1, video.ownerId, lengths);
  size += stringFieldSize(2, video.videoId, lengths);
  size += stringFieldSize(3, video.originalName, lengths);
  size += stringFieldSize(4, video.title, lengths);
  if (video.status !== 0) size += 1 + int32Size(video.status);
  size += stringFieldSize(6, video.originalKey, lengths);
  size += stringFieldSize(7, video.transcodedKey, lengths);
  size += stringFieldSize(8, video.thumbKey, lengths);
  // protobuf-es writes -0 (only +0 is the default).
  if (!Object.is(video.durationSeconds, 0)) size += 1 + 8;
  size += stringFieldSize(10, video.format, lengths);
  if (video.width !== 0) size += 1 + varintSize(video.width);
  if (video.height !== 0) size += 1 + varintSize(video.height);
  if (video.sizeBytes !== 0n) size += 1 + bigVarintSize(video.sizeBytes);
  for (const key in video.labels) {
    const value = video.labels[key]!;
    const keyBytes = Buffer.byteLength(key, 'utf8');
    const valueBytes = Buffer.byteLength(value, 'utf8');
    const entry = 1 + varintSize(keyBytes) + keyBytes + 1 + varintSize(valueBytes) + valueBytes;
    lengths.push(entry, keyBytes, valueBytes);
    size += 1 + varintSize(entry) + entry;
  }
  if (video.createTime !== undefined) {
    const bytes = timestampSize(video.createTime);
    lengths.push(bytes);
    size += 1 + varintSize(bytes) + bytes;
  }
  if (video.updateTime !== undefined) {
    const bytes = timestampSize(video.updateTime);
    lengths.push(bytes);
    size += 2 + varintSize(bytes) + bytes;
  }
  size += stringFieldSize(17, video.etag, lengths);
  size += stringFieldSize(18, video.failureReason, lengths);
  if (video.claim !== undefined) {
    // The claim's own length first, then its worker id's and its time's, in writing order.
    const slot = lengths.push(0) - 1;
    let claimBytes = stringFieldSize(1, video.claim.workerId, lengths);
    if (video.claim.expireTime !== undefined) {
      const bytes = timestampSize(video.claim.expireTime);
      lengths.push(bytes);
      claimBytes += 1 + varintSize(bytes) + bytes;
    }
    lengths[slot] = claimBytes;
    size += varintSize(tag(19, lengthDelimited)) + varintSize(claimBytes) + claimBytes;
  }
  if (video.attemptCount !== 0) size += varintSize(tag(20, varintType)) + varintSize(video.attemptCount);
  return size;
}

function writeTimestamp(writer: Writer, value: Timestamp): void {
  if (value.seconds !== 0n) {
    writer.varint(tag(1, varintType));
    writer.bigVarint(value.seconds >= 0n ? value.seconds : BigInt.asUintN(64, value.seconds));
  }
  if (value.nanos !== 0) {
    writer.varint(tag(2, varintType));
    if (value.nanos < 0) writer.bigVarint(BigInt.asUintN(64, BigInt(value.nanos)));
    else writer.varint(value.nanos);
  }
}

// The fields videoSize and writeVideo encode: a field added to the Video message and not
// listed here is a type error, and once listed, the property test against toBinary holds
// both functions to it.
type EncodedVideoField =
  | 'ownerId'
  | 'videoId'
  | 'originalName'
  | 'title'
  | 'status'
  | 'originalKey'
  | 'transcodedKey'
  | 'thumbKey'
  | 'durationSeconds'
  | 'format'
  | 'width'
  | 'height'
  | 'sizeBytes'
  | 'labels'
  | 'createTime'
  | 'updateTime'
  | 'etag'
  | 'failureReason'
  | 'claim'
  | 'attemptCount';
mapsEveryField<Exclude<keyof Video, '$typeName' | '$unknown' | EncodedVideoField>>();

function writeVideo(writer: Writer, video: Video, lengths: Lengths, next: { index: number }): void {
  const string = (field: number, value: string): void => {
    if (value !== '') writer.string(field, value, lengths[next.index++]!);
  };
  string(1, video.ownerId);
  string(2, video.videoId);
  string(3, video.originalName);
  string(4, video.title);
  if (video.status !== 0) {
    writer.varint(tag(5, varintType));
    if (video.status < 0) writer.bigVarint(BigInt.asUintN(64, BigInt(video.status)));
    else writer.varint(video.status);
  }
  string(6, video.originalKey);
  string(7, video.transcodedKey);
  string(8, video.thumbKey);
  if (!Object.is(video.durationSeconds, 0)) {
    writer.varint(tag(9, fixed64Type));
    writer.offset = writer.buffer.writeDoubleLE(video.durationSeconds, writer.offset);
  }
  string(10, video.format);
  if (video.width !== 0) {
    writer.varint(tag(11, varintType));
    writer.varint(video.width);
  }
  if (video.height !== 0) {
    writer.varint(tag(12, varintType));
    writer.varint(video.height);
  }
  if (video.sizeBytes !== 0n) {
    writer.varint(tag(13, varintType));
    writer.bigVarint(video.sizeBytes);
  }
  for (const key in video.labels) {
    const entry = lengths[next.index++]!;
    writer.varint(tag(14, lengthDelimited));
    writer.varint(entry);
    writer.string(1, key, lengths[next.index++]!);
    writer.string(2, video.labels[key]!, lengths[next.index++]!);
  }
  if (video.createTime !== undefined) {
    writer.varint(tag(15, lengthDelimited));
    writer.varint(lengths[next.index++]!);
    writeTimestamp(writer, video.createTime);
  }
  if (video.updateTime !== undefined) {
    writer.varint(tag(16, lengthDelimited));
    writer.varint(lengths[next.index++]!);
    writeTimestamp(writer, video.updateTime);
  }
  string(17, video.etag);
  string(18, video.failureReason);
  if (video.claim !== undefined) {
    writer.varint(tag(19, lengthDelimited));
    writer.varint(lengths[next.index++]!);
    string(1, video.claim.workerId);
    if (video.claim.expireTime !== undefined) {
      writer.varint(tag(2, lengthDelimited));
      writer.varint(lengths[next.index++]!);
      writeTimestamp(writer, video.claim.expireTime);
    }
  }
  if (video.attemptCount !== 0) {
    writer.varint(tag(20, varintType));
    writer.varint(video.attemptCount);
  }
}

/**
 * Encodes `videos` as the repeated (or single) message field 1, then `strings` as field 2,
 * after `headroom` unwritten bytes (the gRPC envelope's prefix, so the message is not copied).
 */
function encodeVideos(videos: readonly Video[], strings: readonly string[] | undefined, stringIsRepeated: boolean, headroom: number): Buffer {
  const lengths: Lengths = [];
  const videoBytes: number[] = [];
  let size = 0;
  for (const video of videos) {
    const bytes = videoSize(video, lengths);
    videoBytes.push(bytes);
    size += 1 + varintSize(bytes) + bytes;
  }
  const stringBytes: number[] = [];
  for (const value of strings ?? []) {
    // A singular string is omitted when empty; a repeated one is always written.
    if (!stringIsRepeated && value === '') continue;
    const bytes = Buffer.byteLength(value, 'utf8');
    stringBytes.push(bytes);
    size += 1 + varintSize(bytes) + bytes;
  }
  const writer = new Writer(size, headroom);
  const next = { index: 0 };
  videos.forEach((video, index) => {
    writer.varint(tag(1, lengthDelimited));
    writer.varint(videoBytes[index]!);
    writeVideo(writer, video, lengths, next);
  });
  let stringIndex = 0;
  for (const value of strings ?? []) {
    if (!stringIsRepeated && value === '') continue;
    writer.string(2, value, stringBytes[stringIndex++]!);
  }
  return writer.buffer;
}

/**
 * The encoders of the answers this file knows, by method name; others go through toBinary.
 * Each returns a buffer whose first `headroom` bytes are left for the caller to fill.
 */
export const videoAnswerEncoders: Readonly<Record<string, (answer: unknown, headroom?: number) => Buffer>> = {
  GetVideo: (answer, headroom = 0) => encodeSingle(answer as MessageInitShape<typeof GetVideoResponseSchema>, headroom),
  CreateVideo: (answer, headroom = 0) => encodeSingle(answer as MessageInitShape<typeof CreateVideoResponseSchema>, headroom),
  UpdateVideo: (answer, headroom = 0) => encodeSingle(answer as MessageInitShape<typeof UpdateVideoResponseSchema>, headroom),
  // A claim's answer has no video when nothing was claimable: encodeSingle writes it empty.
  ClaimVideo: (answer, headroom = 0) => encodeSingle(answer as MessageInitShape<typeof ClaimVideoResponseSchema>, headroom),
  RenewClaim: (answer, headroom = 0) => encodeSingle(answer as MessageInitShape<typeof RenewClaimResponseSchema>, headroom),
  ListVideos: (answer, headroom = 0) => {
    const list = answer as MessageInitShape<typeof ListVideosResponseSchema>;
    return encodeVideos((list.videos ?? []) as Video[], [list.nextPageToken ?? ''], false, headroom);
  },
  BatchGetVideos: (answer, headroom = 0) => {
    const batch = answer as MessageInitShape<typeof BatchGetVideosResponseSchema>;
    return encodeVideos((batch.videos ?? []) as Video[], batch.missingVideoIds ?? [], true, headroom);
  },
};

function encodeSingle(answer: { video?: unknown }, headroom: number): Buffer {
  return encodeVideos(answer.video === undefined ? [] : [answer.video as Video], undefined, false, headroom);
}
