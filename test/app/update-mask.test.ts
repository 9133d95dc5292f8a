import { describe, expect, it } from 'vitest';
import { maskedDraft, maskedPaths } from '../../src/app/update-mask.ts';
import { InvalidArgument } from '../../src/domain/errors.ts';

describe('update masks', () => {
  it('name the mutable fields they list', () => {
    expect(maskedPaths(['title', 'status', 'title'])).toEqual(['title', 'status']);
  });

  it('expand * to every mutable path', () => {
    expect(maskedPaths(['*'])).toEqual([
      'title', 'status', 'original_name', 'original_key', 'transcoded_key', 'thumb_key',
      'duration_seconds', 'format', 'width', 'height', 'size_bytes', 'labels', 'failure_reason',
    ]);
  });

  it('must not be empty', () => {
    expect(() => maskedPaths([])).toThrow(new InvalidArgument('update_mask', 'required; name the fields to change, or "*" for all'));
  });

  it.each(['owner_id', 'video_id', 'create_time', 'update_time', 'etag'])('refuse the immutable path %s', (path) => {
    expect(() => maskedPaths(['title', path])).toThrow(`update_mask: path "${path}" cannot be changed`);
  });

  it.each(['titel', 'originalName', 'labels.env', ''])('refuse the unknown path %j', (path) => {
    expect(() => maskedPaths([path])).toThrow(`update_mask: unknown path "${path}"`);
  });

  it('pick only the masked fields from the draft, zero-filling the ones the draft lacks', () => {
    expect(maskedDraft({ title: 'new', format: 'mp4', width: 7 }, ['title', 'height', 'labels'])).toEqual({
      title: 'new',
      height: 0,
      labels: {},
    });
  });
});
