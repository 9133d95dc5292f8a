// Proto ↔ domain translation: enum numbers, timestamps, etag, and every settable field.
import { describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { draftFromProto, statusFromProto, statusToProto, videoToProto } from '../../src/adapters/rpc/video-messages.ts';
import { VideoSchema, VideoStatus } from '../../src/gen/video/v1/video_pb.ts';
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
      labels: { a: 'b' }, etag: 'v9', createTime: { seconds: 1n, nanos: 0 },
    });
    expect(draftFromProto(message)).toEqual({
      originalName: 'n', title: 't', status: 'UPLOADED', originalKey: 'ok', transcodedKey: 'tk', thumbKey: 'th',
      durationSeconds: 1.5, format: 'mp4', width: 2, height: 3, sizeBytes: 4n, labels: { a: 'b' },
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
});
