// Opaque page tokens for ListVideos, bound to owner and filter (SPEC §3).
//
// The token carries the keyset cursor plus the owner and filter it was issued for, and an
// HMAC-SHA-256 over all of it (truncated to 128 bits). The MAC key is derived from the
// token secret with HKDF under its own label, so it is never the JWT key itself, and it is
// the same in every process that shares the secret: tokens survive restarts and work on
// any replica with no shared state (SPEC §3). During a rotation the key of the previous
// secret still verifies, like bearer tokens do (SPEC §4). A tampered token therefore
// fails the MAC and is INVALID_ARGUMENT; the fields are range-checked as well, so even a
// token that passes the MAC (a leaked key, a future format) can never reach a store with
// a cursor it cannot hold (a time beyond the Date range used to surface as INTERNAL).
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { InvalidArgument } from '../domain/errors.ts';
import type { ListCursor, TokenSecrets } from '../domain/ports.ts';
import type { VideoStatus } from '../domain/video.ts';
import { checkVideoId } from '../domain/validation.ts';

/** What a token is bound to: the owner and the status filter of the listing. */
export interface PageTokenScope {
  readonly ownerId: string;
  readonly status?: VideoStatus;
}

/** Encodes and checks page tokens; one per service, keyed by the token secret. */
export interface PageTokenCodec {
  /** Encodes where the next page starts, bound to the listing's owner and filter. */
  encode(cursor: ListCursor, scope: PageTokenScope): string;
  /** The cursor of a token this service issued for the same owner and filter, or InvalidArgument. */
  decode(token: string, scope: PageTokenScope): ListCursor;
}

interface TokenBody {
  /** Format version; 2 is the first keyed one (1 carried an unkeyed checksum and is refused). */
  v: 2;
  o: string;
  s: string;
  t: number;
  i: string;
}

/**
 * The cursor times a token may carry: years 0000..9999, what both stores can hold (SQLite
 * compares epoch milliseconds, DynamoDB compares ISO-8601 text, whose 4-digit years sort
 * correctly only in this range), well inside JavaScript's Date range (±8.64e15 ms).
 */
export const cursorTimeRangeMs = {
  min: Date.parse('0000-01-01T00:00:00.000Z'),
  max: Date.parse('9999-12-31T23:59:59.999Z'),
} as const;

const macBytes = 16;
/** Longer than any token this service issues (owner ≤ 128 chars): refused before any work. */
const maxTokenChars = 1024;
/** HKDF info: the page-token key is derived under its own label, never the JWT key. */
const keyLabel = 'videosvc/page-token/hmac-sha256/v1';

function deriveKey(secret: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, new Uint8Array(0), keyLabel, 32));
}

function macOf(key: Buffer, encoded: string): Buffer {
  return createHmac('sha256', key).update(encoded).digest().subarray(0, macBytes);
}

function malformed(): InvalidArgument {
  return new InvalidArgument('page_token', 'malformed or tampered with; pass next_page_token exactly as returned');
}

/** The codec keyed by the secrets in force: `secrets()` is read on every call, so a rotation needs no restart. */
export function createPageTokenCodec(secrets: () => TokenSecrets): PageTokenCodec {
  // Derived once per secrets object: the ring hands out a new object only when the bytes change.
  const derived = new WeakMap<TokenSecrets, readonly Buffer[]>();
  const keys = (): readonly Buffer[] => {
    const current = secrets();
    let found = derived.get(current);
    if (found === undefined) {
      found = current.previous === undefined ? [deriveKey(current.current)] : [deriveKey(current.current), deriveKey(current.previous)];
      derived.set(current, found);
    }
    return found;
  };

  return {
    encode(cursor, scope) {
      const body: TokenBody = { v: 2, o: scope.ownerId, s: scope.status ?? '', t: cursor.createTime.getTime(), i: cursor.videoId };
      const encoded = Buffer.from(JSON.stringify(body)).toString('base64url');
      return `${encoded}.${macOf(keys()[0]!, encoded).toString('base64url')}`;
    },

    decode(token, scope) {
      if (token.length > maxTokenChars) throw malformed();
      const [encoded, mac, extra] = token.split('.');
      if (encoded === undefined || mac === undefined || extra !== undefined) throw malformed();
      const given = Buffer.from(mac, 'base64url');
      // base64url decoding skips stray characters; only the canonical text of the MAC is accepted.
      if (given.length !== macBytes || given.toString('base64url') !== mac) throw malformed();
      if (!keys().some((key) => timingSafeEqual(macOf(key, encoded), given))) throw malformed();
      return cursorOf(encoded, scope);
    },
  };
}

/** The checks after the MAC: well-formed body, every field in range, issued for this listing. */
function cursorOf(encoded: string, scope: PageTokenScope): ListCursor {
  let body: Partial<TokenBody>;
  try {
    body = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as Partial<TokenBody>;
  } catch {
    throw malformed();
  }
  if (typeof body !== 'object' || body === null) throw malformed();
  const { v, o, s, t, i } = body;
  if (v !== 2 || typeof o !== 'string' || typeof s !== 'string' || typeof i !== 'string') throw malformed();
  if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < cursorTimeRangeMs.min || t > cursorTimeRangeMs.max) {
    throw malformed();
  }
  if (o !== scope.ownerId || s !== (scope.status ?? '')) {
    throw new InvalidArgument('page_token', 'was issued for a different owner_id or status filter; start again without a token');
  }
  checkVideoId(i, 'page_token');
  return { createTime: new Date(t), videoId: i };
}

/**
 * A codec with a random key of this process only: for tests and embedders that build
 * Videos without a token secret. Its tokens do not survive a restart; the service
 * (main.ts) always passes one keyed by the token secret.
 */
export function processLocalPageTokenCodec(): PageTokenCodec {
  const secrets = { current: new Uint8Array(randomBytes(32)) };
  return createPageTokenCodec(() => secrets);
}
