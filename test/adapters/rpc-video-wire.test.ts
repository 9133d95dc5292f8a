// The hand-written encoder of the lean gRPC path writes exactly the bytes protobuf-es's
// toBinary writes, for any video and every answer shape that carries videos.
import { create, toBinary } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { videoAnswerEncoders } from '../../src/adapters/rpc/video-wire.ts';
import { VideoSchema, type Video } from '../../src/gen/video/v1/video_pb.ts';
import {
  BatchGetVideosResponseSchema,
  ClaimVideoResponseSchema,
  CreateVideoResponseSchema,
  GetVideoResponseSchema,
  ListVideosResponseSchema,
  RenewClaimResponseSchema,
  UpdateVideoResponseSchema,
} from '../../src/gen/video/v1/video_service_pb.ts';

const text = fc.oneof(fc.constant(''), fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary', maxLength: 40 }));
const timestamp = fc.option(
  fc.record({ seconds: fc.bigInt({ min: -62_135_596_800n, max: 253_402_300_799n }), nanos: fc.integer({ min: -999_999_999, max: 999_999_999 }) }),
  { nil: undefined },
);
const video: fc.Arbitrary<Video> = fc
  .record({
    ownerId: text, videoId: text, originalName: text, title: text, status: fc.integer({ min: -3, max: 9 }),
    originalKey: text, transcodedKey: text, thumbKey: text,
    durationSeconds: fc.oneof(fc.constant(0), fc.double({ noNaN: true }), fc.constant(-0)),
    format: text, width: fc.nat({ max: 2 ** 32 - 1 }), height: fc.nat({ max: 2 ** 32 - 1 }),
    sizeBytes: fc.oneof(
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      // Either side of 2^53, where the encoder switches from Number to bigint arithmetic.
      fc.bigInt({ min: 0n, max: 2n ** 54n }),
      fc.constantFrom(0n, 127n, 128n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 64n - 1n),
    ), labels: fc.dictionary(text, text, { maxKeys: 4 }),
    createTime: timestamp, updateTime: timestamp, etag: text, failureReason: text,
    claim: fc.option(fc.record({ workerId: text, expireTime: timestamp }), { nil: undefined }),
    attemptCount: fc.oneof(fc.constant(0), fc.nat({ max: 2 ** 32 - 1 })),
  })
  .map((init) => create(VideoSchema, init));

describe('the hand-written video answer encoder', () => {
  it('writes a GetVideoResponse byte for byte as toBinary does, for any video', () => {
    fc.assert(
      fc.property(video, (one) => {
        const expected = toBinary(GetVideoResponseSchema, create(GetVideoResponseSchema, { video: one }));
        expect(Buffer.from(videoAnswerEncoders.GetVideo!({ video: one }))).toEqual(Buffer.from(expected));
      }),
      { numRuns: 500 },
    );
  });

  it('writes the other single-video answers (create, update, claim, renew) as toBinary does', () => {
    const schemas = {
      CreateVideo: CreateVideoResponseSchema,
      UpdateVideo: UpdateVideoResponseSchema,
      ClaimVideo: ClaimVideoResponseSchema,
      RenewClaim: RenewClaimResponseSchema,
    } as const;
    fc.assert(
      fc.property(video, fc.constantFrom(...(Object.keys(schemas) as Array<keyof typeof schemas>)), (one, method) => {
        const expected = toBinary(schemas[method], create(schemas[method], { video: one }));
        expect(Buffer.from(videoAnswerEncoders[method]!({ video: one }))).toEqual(Buffer.from(expected));
      }),
      { numRuns: 200 },
    );
  });

  it('writes an answer without a video (nothing claimable) as an empty message', () => {
    expect(videoAnswerEncoders.GetVideo!({}).length).toBe(0);
    expect(videoAnswerEncoders.ClaimVideo!({ video: undefined }).length).toBe(0);
  });

  it('writes list and batch answers (repeated videos, a page token, missing ids) as toBinary does', () => {
    fc.assert(
      fc.property(fc.array(video, { maxLength: 4 }), text, fc.array(text, { maxLength: 4 }), (videos, nextPageToken, missingVideoIds) => {
        const list = toBinary(ListVideosResponseSchema, create(ListVideosResponseSchema, { videos, nextPageToken }));
        expect(Buffer.from(videoAnswerEncoders.ListVideos!({ videos, nextPageToken }))).toEqual(Buffer.from(list));
        const batch = toBinary(BatchGetVideosResponseSchema, create(BatchGetVideosResponseSchema, { videos, missingVideoIds }));
        expect(Buffer.from(videoAnswerEncoders.BatchGetVideos!({ videos, missingVideoIds }))).toEqual(Buffer.from(batch));
      }),
      { numRuns: 200 },
    );
  });
});
