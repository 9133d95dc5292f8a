import { describe, expect, it } from 'vitest';
import { InvalidArgument } from '../../src/domain/errors.ts';
import { decodePageToken, encodePageToken } from '../../src/app/page-token.ts';

const cursor = { createTime: new Date('2026-11-25T10:00:00.123Z'), videoId: '01936f3e-7a4b-7c3d-8e2f-123456789abc' };
const scope = { ownerId: 'alice' };

function refusal(token: string, against = scope): string {
  try {
    decodePageToken(token, against);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgument);
    return (error as Error).message;
  }
  throw new Error('expected InvalidArgument');
}

describe('page tokens', () => {
  it('round-trip the cursor for the same owner and filter', () => {
    expect(decodePageToken(encodePageToken(cursor, scope), scope)).toEqual(cursor);
    const filtered = { ownerId: 'alice', status: 'FAILED' as const };
    expect(decodePageToken(encodePageToken(cursor, filtered), filtered)).toEqual(cursor);
  });

  it('are the same text for the same cursor: no per-process key or state', () => {
    expect(encodePageToken(cursor, scope)).toBe(encodePageToken({ ...cursor }, { ownerId: 'alice' }));
  });

  it('are opaque: neither owner nor id is readable as plain text', () => {
    const token = encodePageToken(cursor, scope);
    expect(token).not.toContain('alice');
    expect(token).not.toContain(cursor.videoId);
  });

  it('refuse another owner', () => {
    expect(refusal(encodePageToken(cursor, scope), { ownerId: 'bob' })).toBe(
      'page_token: was issued for a different owner_id or status filter; start again without a token',
    );
  });

  it('refuse another status filter, and a filtered token on an unfiltered list', () => {
    const token = encodePageToken(cursor, { ownerId: 'alice', status: 'UPLOADED' });
    expect(refusal(token, { ownerId: 'alice' })).toMatch(/different owner_id or status filter/);
    expect(refusal(token, { ownerId: 'alice', status: 'FAILED' } as never)).toMatch(/different owner_id or status filter/);
  });

  it('refuse a token with any one character changed', () => {
    const token = encodePageToken(cursor, scope);
    for (let i = 0; i < token.length; i++) {
      if (token[i] === '.') continue;
      const changed = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
      expect(() => decodePageToken(changed, scope)).toThrow(InvalidArgument);
    }
  });

  it.each(['garbage', 'a.b', 'a.b.c', '.', '', '%%%.%%%'])('refuse the malformed token %j', (token) => {
    expect(refusal(token)).toBe('page_token: malformed or tampered with; pass next_page_token exactly as returned');
  });

  it('refuse a truncated token', () => {
    const token = encodePageToken(cursor, scope);
    expect(() => decodePageToken(token.slice(0, -1), scope)).toThrow(InvalidArgument);
    expect(() => decodePageToken(token.slice(1), scope)).toThrow(InvalidArgument);
  });
});
