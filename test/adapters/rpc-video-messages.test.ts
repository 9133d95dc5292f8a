// Proto ↔ domain translation: enum numbers, timestamps, etag, and every settable field.
import { describe, expect, it } from 'vitest';
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { draftFromProto, statusFromProto, statusToProto, videoToProto } from '../../src/adapters/rpc/video-messages.ts';
import { ClaimSchema, VideoSchema, VideoStatus } from '../../src/gen/video/v1/video_pb.ts';
import { sampleVideo } from '../support/videos.ts';

describe('video messages', () => {
  it('maps enum numbers to status names: 0 is absent, an unknown number stays visible for the domain to refuse', () => {
    expect(statusFromProto(VideoStatus.UNSPECIFIED)).toBeUndefined();
    expect(statusFromProto(VideoStatus.TRANSCODED)).toBe('TRANSCODED');
    expect(statusFromProto(9)).toBe('9');
    expect(statusToProto('FAILED')).toBe(VideoStatus.FAILED);
  });

  it('takes every settable field into the draft and ignores output-only ones', () => {
    const message = create(VideoSchema, {
      ownerId: 'o', videoId: 'v', originalName: 'n', title: 't', status: VideoStatus.UPLOADED, originalKey: 'ok',
      transcodedKey: 'tk', thumbKey: 'th', durationSeconds: 1.5, format: 'mp4', width: 2, height: 3, sizeBytes: 4n,
      labels: { a: 'b' }, etag: 'v9', createTime: { seconds: 1n, nanos: 0 }, failureReason: 'fr',
    });
    expect(draftFromProto(message)).toEqual({
      originalName: 'n', title: 't', status: 'UPLOADED', originalKey: 'ok', transcodedKey: 'tk', thumbKey: 'th',
      durationSeconds: 1.5, format: 'mp4', width: 2, height: 3, sizeBytes: 4n, labels: { a: 'b' }, failureReason: 'fr',
    });
    expect(draftFromProto(undefined)).toEqual({});
  });

  it('writes a stored video with millisecond timestamps and the etag of its version', () => {
    const video = { ...sampleVideo(), version: 7 };
    const message = videoToProto(video);
    expect(message.etag).toBe('v7');
    expect(timestampDate(message.createTime!).getTime()).toBe(video.createTime.getTime());
    expect(message.sizeBytes).toBe(video.sizeBytes);
    expect(message.status).toBe(VideoStatus.UPLOADED);
  });

  it('makes exactly the message protobuf-es create() and timestampFromDate() would, before 1970 too', () => {
    for (const createTime of [new Date('2026-11-29T12:34:56.789Z'), new Date('1969-07-20T20:17:40.123Z'), new Date(-62_135_596_800_000)]) {
      const video = { ...sampleVideo(), labels: { a: 'b', c: '' }, failureReason: 'no audio', createTime, updateTime: new Date(createTime.getTime() + 1), version: 3 };
      const expected = create(VideoSchema, {
        ownerId: video.ownerId, videoId: video.videoId, originalName: video.originalName, title: video.title,
        status: statusToProto(video.status), originalKey: video.originalKey, transcodedKey: video.transcodedKey,
        thumbKey: video.thumbKey, durationSeconds: video.durationSeconds, format: video.format, width: video.width,
        height: video.height, sizeBytes: video.sizeBytes, labels: { ...video.labels },
        createTime: timestampFromDate(video.createTime), updateTime: timestampFromDate(video.updateTime), etag: 'v3',
        failureReason: 'no audio',
      });
      expect(videoToProto(video)).toStrictEqual(expected);
      expect(toBinary(VideoSchema, videoToProto(video))).toEqual(toBinary(VideoSchema, expected));

      // Claimed: the claim as a message of its own, the attempts as counted.
      const claimed = { ...video, status: 'TRANSCODING' as const, claim: { workerId: 'w-1', expireTime: createTime }, attemptCount: 2 };
      const expectedClaimed = create(VideoSchema, {
        ...expected,
        status: statusToProto('TRANSCODING'),
        claim: create(ClaimSchema, { workerId: 'w-1', expireTime: timestampFromDate(createTime) }),
        attemptCount: 2,
      });
      expect(videoToProto(claimed)).toStrictEqual(expectedClaimed);
      expect(toBinary(VideoSchema, videoToProto(claimed))).toEqual(toBinary(VideoSchema, expectedClaimed));
    }
  });
});
