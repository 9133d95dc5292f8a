import { describe, expect, it } from 'vitest';
import { InvalidArgument } from '../../src/domain/errors.ts';
import { newVideo } from '../../src/domain/new-video.ts';
import {
  characterCount,
  checkFields,
  checkOwnerId,
  checkStatus,
  checkVideoId,
  type VideoDraft,
} from '../../src/domain/validation.ts';
import { etagOf, versionOfEtag } from '../../src/domain/video.ts';

const videoId = '01936f3e-7a4b-7c3d-8e2f-123456789abc';
const now = new Date('2026-11-25T10:00:00.123Z');

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgument);
    return (error as Error).message;
  }
  throw new Error('expected InvalidArgument, nothing was thrown');
}

const repeat = (count: number, text = 'a') => text.repeat(count);

describe('owner_id', () => {
  it.each(['a', 'alice', 'A.b_c@d-e', '0', repeat(128)])('accepts %j', (owner) => {
    expect(checkOwnerId(owner)).toBe(owner);
  });
  it('is required', () => expect(refusal(() => checkOwnerId(''))).toBe('owner_id: required'));
  it('has at most 128 characters', () =>
    expect(refusal(() => checkOwnerId(repeat(129)))).toBe('owner_id: at most 128 characters'));
  it.each(['al ice', 'a/b', 'ä', 'a:b', 'a\n'])('refuses the character set of %j', (owner) =>
    expect(refusal(() => checkOwnerId(owner))).toBe('owner_id: only letters, digits and . _ @ - are allowed'));
});

describe('video_id', () => {
  it.each([videoId, '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-4fff-bfff-ffffffffffff'])('accepts %s', (id) =>
    expect(checkVideoId(id)).toBe(id));
  it('is required', () => expect(refusal(() => checkVideoId(''))).toBe('video_id: required'));
  it.each([videoId.toUpperCase(), `{${videoId}}`, videoId.replaceAll('-', ''), `${videoId}0`, 'not-a-uuid'])(
    'refuses %s',
    (id) => expect(refusal(() => checkVideoId(id))).toMatch(/^video_id: must be a UUID in lowercase canonical form/),
  );
});

describe('status', () => {
  it('accepts every lifecycle state', () => {
    for (const status of ['UPLOADED', 'TRANSCODING', 'TRANSCODED', 'COMPLETED', 'FAILED']) {
      expect(checkStatus(status)).toBe(status);
    }
  });
  it('refuses UNSPECIFIED as "required"', () => expect(refusal(() => checkStatus(''))).toBe('status: required'));
  it('refuses an unknown value naming the allowed ones', () =>
    expect(refusal(() => checkStatus('99'))).toBe(
      'status: unknown status 99; expected one of UPLOADED, TRANSCODING, TRANSCODED, COMPLETED, FAILED',
    ));
});

describe('field rules', () => {
  const accepted: [string, VideoDraft][] = [
    ['original_name of 1 character', { originalName: 'a' }],
    ['original_name of 255 characters', { originalName: repeat(255) }],
    ['original_name of 255 emoji (counted as characters, not UTF-16 units)', { originalName: repeat(255, '🎬') }],
    ['original_name with non-ASCII letters and spaces', { originalName: 'Grüße aus Köln.mov' }],
    ['empty title', { title: '' }],
    ['title of 300 characters', { title: repeat(300) }],
    ['control characters in the title (only original_name forbids them)', { title: 'a\tb' }],
    ['object keys of 1024 characters', { originalKey: repeat(1024), transcodedKey: repeat(1024), thumbKey: repeat(1024) }],
    ['empty object keys', { originalKey: '', transcodedKey: '', thumbKey: '' }],
    ['duration 0', { durationSeconds: 0 }],
    ['fractional duration', { durationSeconds: 0.1 }],
    ['the largest finite duration', { durationSeconds: Number.MAX_VALUE }],
    ['format of 32 characters', { format: repeat(32) }],
    ['width and height 0 (unknown)', { width: 0, height: 0 }],
    ['width and height 65535', { width: 65_535, height: 65_535 }],
    ['size_bytes 0', { sizeBytes: 0n }],
    ['size_bytes 2^64-1', { sizeBytes: 2n ** 64n - 1n }],
    ['no labels', { labels: {} }],
    ['64 labels', { labels: Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, 'v'])) }],
    ['a 63-character label key and a 256-character value', { labels: { [`a${repeat(62, 'b')}`]: repeat(256) } }],
    ['label keys with digits, _ and -', { labels: { 'a1_b-c': '' } }],
    ['no failure_reason', { failureReason: '' }],
    ['a failure_reason of 1024 characters, emoji counted as one', { failureReason: repeat(1024, '😀') }],
  ];
  it.each(accepted)('accepts %s', (_, draft) => {
    expect(checkFields(draft)).toEqual(draft);
  });

  const refused: [string, VideoDraft, string][] = [
    ['an empty original_name', { originalName: '' }, 'original_name: required'],
    ['an original_name of 256 characters', { originalName: repeat(256) }, 'original_name: at most 255 characters'],
    ['a newline in original_name', { originalName: 'a\nb' }, 'original_name: must not contain control characters'],
    ['a NUL in original_name', { originalName: 'a\u0000b' }, 'original_name: must not contain control characters'],
    ['a DEL in original_name', { originalName: 'a\u007fb' }, 'original_name: must not contain control characters'],
    ['a C1 control in original_name', { originalName: 'a\u0085b' }, 'original_name: must not contain control characters'],
    ['a title of 301 characters', { title: repeat(301) }, 'title: at most 300 characters'],
    ['an original_key of 1025 characters', { originalKey: repeat(1025) }, 'original_key: at most 1024 characters'],
    ['a transcoded_key of 1025 characters', { transcodedKey: repeat(1025) }, 'transcoded_key: at most 1024 characters'],
    ['a thumb_key of 1025 characters', { thumbKey: repeat(1025) }, 'thumb_key: at most 1024 characters'],
    ['a negative duration', { durationSeconds: -0.001 }, 'duration_seconds: must be at least 0'],
    ['a NaN duration', { durationSeconds: Number.NaN }, 'duration_seconds: must be a finite number'],
    ['an infinite duration', { durationSeconds: Number.POSITIVE_INFINITY }, 'duration_seconds: must be a finite number'],
    ['a format of 33 characters', { format: repeat(33) }, 'format: at most 32 characters'],
    ['width 65536', { width: 65_536 }, 'width: must be a whole number from 0 to 65535'],
    ['height 65536', { height: 65_536 }, 'height: must be a whole number from 0 to 65535'],
    ['a fractional width', { width: 1.5 }, 'width: must be a whole number from 0 to 65535'],
    ['a negative height', { height: -1 }, 'height: must be a whole number from 0 to 65535'],
    ['size_bytes 2^64', { sizeBytes: 2n ** 64n }, 'size_bytes: must be from 0 to 18446744073709551615'],
    ['a failure_reason of 1025 characters', { failureReason: repeat(1025) }, 'failure_reason: at most 1024 characters'],
    ['a newline in failure_reason', { failureReason: 'disk\nfull' }, 'failure_reason: must not contain control characters'],
    ['negative size_bytes', { sizeBytes: -1n }, 'size_bytes: must be from 0 to 18446744073709551615'],
    [
      '65 labels',
      { labels: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) },
      'labels: at most 64 entries',
    ],
    ['an empty label key', { labels: { '': 'v' } }, 'labels: key "" must be 1 to 63 characters'],
    ['a 64-character label key', { labels: { [repeat(64)]: 'v' } }, `labels: key "${repeat(64)}" must be 1 to 63 characters`],
    ['a label key starting with a digit', { labels: { '1a': 'v' } }, 'labels: key "1a" must start with a lowercase letter and hold only a-z 0-9 _ -'],
    ['an uppercase label key', { labels: { Env: 'v' } }, 'labels: key "Env" must start with a lowercase letter and hold only a-z 0-9 _ -'],
    ['a label key with a dot', { labels: { 'a.b': 'v' } }, 'labels: key "a.b" must start with a lowercase letter and hold only a-z 0-9 _ -'],
    ['a label value of 257 characters', { labels: { env: repeat(257) } }, 'labels: value of "env" must be at most 256 characters'],
    ['an unknown status', { status: '7' }, 'status: unknown status 7; expected one of UPLOADED, TRANSCODING, TRANSCODED, COMPLETED, FAILED'],
  ];
  it.each(refused)('refuses %s, naming the field and the rule', (_, draft, message) => {
    expect(refusal(() => checkFields(draft))).toBe(message);
  });
});

describe('newVideo', () => {
  const key = { ownerId: 'alice', videoId };

  it('fills the SPEC defaults: title from original_name, status UPLOADED, version 1', () => {
    const video = newVideo(key, { originalName: 'clip.mp4' }, now);
    expect(video).toEqual({
      ownerId: 'alice',
      videoId,
      originalName: 'clip.mp4',
      title: 'clip.mp4',
      status: 'UPLOADED',
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
      createTime: now,
      updateTime: now,
      version: 1,
      claim: undefined,
      attemptCount: 0,
    });
  });

  it('keeps a given title and status', () => {
    const video = newVideo(key, { originalName: 'clip.mp4', title: 'Holiday', status: 'TRANSCODED' }, now);
    expect([video.title, video.status]).toEqual(['Holiday', 'TRANSCODED']);
  });

  it('truncates the clock to whole milliseconds', () => {
    const video = newVideo(key, { originalName: 'a' }, new Date(1_700_000_000_123.9));
    expect(video.createTime.getTime()).toBe(1_700_000_000_123);
  });

  it('requires original_name', () => {
    expect(refusal(() => newVideo(key, {}, now))).toBe('original_name: required');
    expect(refusal(() => newVideo(key, { originalName: '' }, now))).toBe('original_name: required');
  });

  it('checks the key', () => {
    expect(refusal(() => newVideo({ ownerId: 'a b', videoId }, { originalName: 'a' }, now))).toMatch(/^owner_id:/);
    expect(refusal(() => newVideo({ ownerId: 'a', videoId: 'x' }, { originalName: 'a' }, now))).toMatch(/^video_id:/);
  });
});

describe('etags', () => {
  it('round-trip a version', () => {
    for (const version of [0, 1, 42, Number.MAX_SAFE_INTEGER]) expect(versionOfEtag(etagOf(version))).toBe(version);
  });
  it.each(['', '1', 'v', 'v-1', 'v01', 'V1', 'v1x', '"v1"'])('are not read from %j', (etag) => {
    expect(versionOfEtag(etag)).toBeUndefined();
  });
});

it('counts characters as Unicode code points', () => {
  expect(characterCount('abc')).toBe(3);
  expect(characterCount('🎬🎬')).toBe(2);
  expect(characterCount('é')).toBe(1);
  expect(characterCount('\ud83c')).toBe(1); // a lone surrogate still counts once
});
