import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidArgument } from '../../src/domain/errors.ts';
import type { TokenSecrets } from '../../src/domain/ports.ts';
import { createPageTokenCodec, cursorTimeRangeMs, type PageTokenCodec } from '../../src/app/page-token.ts';

const cursor = { createTime: new Date('2026-11-25T10:00:00.123Z'), videoId: '01936f3e-7a4b-7c3d-8e2f-123456789abc' };
const scope = { ownerId: 'alice' };
const secretA = new TextEncoder().encode('a'.repeat(32));
const secretB = new TextEncoder().encode('b'.repeat(32));
const malformedMessage = 'page_token: malformed or tampered with; pass next_page_token exactly as returned';

const codecOf = (secrets: TokenSecrets): PageTokenCodec => createPageTokenCodec(() => secrets);
const codec = codecOf({ current: secretA });

function refusal(token: string, against = scope, by = codec): string {
  try {
    by.decode(token, against);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgument);
    return (error as Error).message;
  }
  throw new Error('expected InvalidArgument');
}

/** A token with the right MAC under `secret` for any body: what only a holder of the key could make. */
function forged(body: unknown, secret = secretA, label = 'videosvc/page-token/hmac-sha256/v1'): string {
  const key = Buffer.from(hkdfSync('sha256', secret, new Uint8Array(0), label, 32));
  const encoded = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${encoded}.${createHmac('sha256', key).update(encoded).digest().subarray(0, 16).toString('base64url')}`;
}

const validBody = { v: 2, o: 'alice', s: '', t: cursor.createTime.getTime(), i: cursor.videoId };

describe('page tokens', () => {
  it('round-trip the cursor for the same owner and filter', () => {
    expect(codec.decode(codec.encode(cursor, scope), scope)).toEqual(cursor);
    const filtered = { ownerId: 'alice', status: 'FAILED' as const };
    expect(codec.decode(codec.encode(cursor, filtered), filtered)).toEqual(cursor);
  });

  it('survive a restart and work on a replica: a codec built from the same secret accepts them', () => {
    const token = codec.encode(cursor, scope);
    const replica = codecOf({ current: new Uint8Array(secretA) });
    expect(replica.encode({ ...cursor }, { ownerId: 'alice' })).toBe(token);
    expect(replica.decode(token, scope)).toEqual(cursor);
  });

  it('are opaque: neither owner nor id is readable as plain text', () => {
    const token = codec.encode(cursor, scope);
    expect(token).not.toContain('alice');
    expect(token).not.toContain(cursor.videoId);
  });

  it('refuse another owner', () => {
    expect(refusal(codec.encode(cursor, scope), { ownerId: 'bob' })).toBe(
      'page_token: was issued for a different owner_id or status filter; start again without a token',
    );
  });

  it('refuse another status filter, and a filtered token on an unfiltered list', () => {
    const token = codec.encode(cursor, { ownerId: 'alice', status: 'UPLOADED' });
    expect(refusal(token, { ownerId: 'alice' })).toMatch(/different owner_id or status filter/);
    expect(refusal(token, { ownerId: 'alice', status: 'FAILED' } as never)).toMatch(/different owner_id or status filter/);
  });

  it('refuse a token with any one character changed', () => {
    const token = codec.encode(cursor, scope);
    for (let i = 0; i < token.length; i++) {
      if (token[i] === '.') continue;
      const changed = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
      expect(() => codec.decode(changed, scope)).toThrow(InvalidArgument);
    }
  });

  it('refuse a body re-encoded with the unkeyed checksum of the old format: the MAC needs the secret', () => {
    const encoded = Buffer.from(JSON.stringify({ ...validBody, t: 0 })).toString('base64url');
    const checksum = createHash('sha256').update(encoded).digest().subarray(0, 12).toString('base64url');
    expect(refusal(`${encoded}.${checksum}`)).toBe(malformedMessage);
    // The same body with a MAC under another secret, or under the JWT key itself, is refused too.
    expect(refusal(forged({ ...validBody, t: 0 }, secretB))).toBe(malformedMessage);
    const jwtKeyed = `${encoded}.${createHmac('sha256', secretA).update(encoded).digest().subarray(0, 16).toString('base64url')}`;
    expect(refusal(jwtKeyed)).toBe(malformedMessage);
  });

  it('during a rotation accept tokens of the previous secret, and sign new ones with the current', () => {
    const before = codecOf({ current: secretA });
    const token = before.encode(cursor, scope);
    const during = codecOf({ current: secretB, previous: secretA });
    expect(during.decode(token, scope)).toEqual(cursor);
    expect(during.encode(cursor, scope)).toBe(codecOf({ current: secretB }).encode(cursor, scope));
    const after = codecOf({ current: secretB });
    expect(refusal(token, scope, after)).toBe(malformedMessage);
  });

  it('follow the secrets the ring hands out, without a new codec', () => {
    let secrets: TokenSecrets = { current: secretA };
    const live = createPageTokenCodec(() => secrets);
    const token = live.encode(cursor, scope);
    secrets = { current: secretB };
    expect(refusal(token, scope, live)).toBe(malformedMessage);
    expect(live.decode(live.encode(cursor, scope), scope)).toEqual(cursor);
  });

  it.each([
    ['a time beyond the Date range', { t: 8.64e15 + 1 }],
    ['a time beyond year 9999', { t: cursorTimeRangeMs.max + 1 }],
    ['a time before year 0000', { t: cursorTimeRangeMs.min - 1 }],
    ['a fractional time', { t: 1.5 }],
    ['a time as text', { t: '2026-11-25T10:00:00Z' }],
    ['a video id that is no UUID', { i: 'x' }],
    ['a non-string owner', { o: 7 }],
    ['the old format version', { v: 1 }],
  ])('refuse a correctly signed token with %s, as INVALID_ARGUMENT', (_, change) => {
    expect(refusal(forged({ ...validBody, ...change }))).toMatch(/^page_token: /);
  });

  it('accept the extreme cursor times both stores can hold', () => {
    for (const t of [cursorTimeRangeMs.min, 0, cursorTimeRangeMs.max]) {
      expect(codec.decode(forged({ ...validBody, t }), scope).createTime.getTime()).toBe(t);
    }
    expect(new Date(cursorTimeRangeMs.max).toISOString()).toBe('9999-12-31T23:59:59.999Z');
    expect(new Date(cursorTimeRangeMs.min).toISOString()).toBe('0000-01-01T00:00:00.000Z');
  });

  it.each(['garbage', 'a.b', 'a.b.c', '.', '', '%%%.%%%', 'x'.repeat(5000)])('refuse the malformed token %j', (token) => {
    expect(refusal(token)).toBe(malformedMessage);
  });

  it('refuse a truncated token', () => {
    const token = codec.encode(cursor, scope);
    expect(() => codec.decode(token.slice(0, -1), scope)).toThrow(InvalidArgument);
    expect(() => codec.decode(token.slice(1), scope)).toThrow(InvalidArgument);
  });
});
