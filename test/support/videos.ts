// Video fixtures shared by every suite: valid videos built through the domain's own
// constructor, so a fixture can never hold something the service would refuse.
import { v7 as uuidV7 } from 'uuid';
import { newVideo } from '../../src/domain/new-video.ts';
import { characterCount, limits, type VideoDraft } from '../../src/domain/validation.ts';
import type { Video, VideoFields } from '../../src/domain/video.ts';

let ownerCount = 0;

/** A fresh owner id, unique within the run, so tests sharing one store never see each other's videos. */
export function uniqueOwner(prefix = 'owner'): string {
  ownerCount += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${ownerCount}`;
}

/** A fresh UUIDv7 video id. */
export function newVideoId(): string {
  return uuidV7();
}

/** A valid video (UPLOADED, version 1) with typical fields; `overrides` replace any of them. */
export function sampleVideo(overrides: Partial<Video> = {}, draft: VideoDraft = {}): Video {
  const video = newVideo(
    { ownerId: overrides.ownerId ?? uniqueOwner(), videoId: overrides.videoId ?? newVideoId() },
    {
      originalName: 'holiday.mov',
      title: 'Holiday',
      originalKey: 'originals/holiday.mov',
      durationSeconds: 12.5,
      format: 'mov',
      width: 1920,
      height: 1080,
      sizeBytes: 48_000_000n,
      labels: { trip: 'alps' },
      ...draft,
    },
    overrides.createTime ?? new Date(),
  );
  return { ...video, ...overrides };
}

/** A video with every field at its SPEC §1 limit: long unicode text, the largest numbers, 64 labels. */
export function videoAtLimits(overrides: Partial<Video> = {}): Video {
  const labels: Record<string, string> = {};
  for (let i = 0; i < limits.labelsMaxEntries; i++) {
    const key = `l${String(i).padStart(2, '0')}`.padEnd(limits.labelKeyMaxChars, 'x');
    const start = `${i}ü😀`;
    labels[key] = start + 'é'.repeat(limits.labelValueMaxChars - characterCount(start));
  }
  return sampleVideo(overrides, {
    // 255 characters as a person counts them: one emoji (two UTF-16 units) + 254 more.
    originalName: `🎬${'ñ'.repeat(limits.originalNameMaxChars - 1)}`,
    title: `标题${'t'.repeat(limits.titleMaxChars - 2)}`,
    originalKey: `o/${'k'.repeat(limits.objectKeyMaxChars - 2)}`,
    transcodedKey: `t/${'ü'.repeat(limits.objectKeyMaxChars - 2)}`,
    thumbKey: `th/${'😀'.repeat(limits.objectKeyMaxChars - 3)}`,
    format: 'f'.repeat(limits.formatMaxChars),
    width: limits.dimensionMax,
    height: limits.dimensionMax,
    sizeBytes: limits.sizeBytesMax,
    durationSeconds: 1e100,
    labels,
    // 1024 characters as a person counts them, emoji and accents included.
    failureReason: `😀 ${'é'.repeat(limits.failureReasonMaxChars - 2)}`,
  });
}

/** A video whose settable fields all hold their empty value: empty strings, zeros, no labels. */
export function videoWithDefaults(overrides: Partial<Video> = {}): Video {
  return sampleVideo({
    title: '',
    originalKey: '',
    transcodedKey: '',
    thumbKey: '',
    durationSeconds: 0,
    format: '',
    width: 0,
    height: 0,
    sizeBytes: 0n,
    labels: {},
    failureReason: '',
    ...overrides,
  });
}

/** The fields of `video` a client may set (no key, times, version or claim state): a full update's `fields`. */
export function settableFields(video: Video): VideoFields {
  const {
    ownerId: _owner,
    videoId: _id,
    createTime: _created,
    updateTime: _updated,
    version: _version,
    claim: _claim,
    attemptCount: _attempts,
    ...fields
  } = video;
  return fields;
}
