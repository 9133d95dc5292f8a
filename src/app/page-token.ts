// Opaque page tokens for ListVideos, bound to owner and filter (SPEC §3).
//
// The token carries the keyset cursor plus the owner and filter it was issued for, and a
// SHA-256 checksum over all of it. No key is involved on purpose: a token must stay valid
// across restarts and replicas without shared state, and a forged token could only move a
// cursor within videos the caller may already list (ownership is checked on the request's
// owner_id, never on the token). The checksum catches tampering and truncation.
import { createHash } from 'node:crypto';
import { InvalidArgument } from '../domain/errors.ts';
import type { ListCursor } from '../domain/ports.ts';
import type { VideoStatus } from '../domain/video.ts';
import { checkVideoId } from '../domain/validation.ts';

/** What a token is bound to: the owner and the status filter of the listing. */
export interface PageTokenScope {
  readonly ownerId: string;
  readonly status?: VideoStatus;
}

interface TokenBody {
  /** Format version, so a later format can still read today's tokens. */
  v: 1;
  o: string;
  s: string;
  t: number;
  i: string;
}

const checksumBytes = 12;

function checksumOf(body: string): string {
  return createHash('sha256').update(body).digest().subarray(0, checksumBytes).toString('base64url');
}

/** Encodes where the next page starts, bound to the listing's owner and filter. */
export function encodePageToken(cursor: ListCursor, scope: PageTokenScope): string {
  const body: TokenBody = { v: 1, o: scope.ownerId, s: scope.status ?? '', t: cursor.createTime.getTime(), i: cursor.videoId };
  const encoded = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${encoded}.${checksumOf(encoded)}`;
}

function malformed(): InvalidArgument {
  return new InvalidArgument('page_token', 'malformed or tampered with; pass next_page_token exactly as returned');
}

/** Decodes a token issued by encodePageToken for the same owner and filter, or throws InvalidArgument. */
export function decodePageToken(token: string, scope: PageTokenScope): ListCursor {
  const [encoded, checksum, extra] = token.split('.');
  if (encoded === undefined || checksum === undefined || extra !== undefined || checksumOf(encoded) !== checksum) {
    throw malformed();
  }
  let body: Partial<TokenBody>;
  try {
    body = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as Partial<TokenBody>;
  } catch {
    throw malformed();
  }
  if (body.v !== 1 || typeof body.o !== 'string' || typeof body.s !== 'string' || !Number.isSafeInteger(body.t) || typeof body.i !== 'string') {
    throw malformed();
  }
  if (body.o !== scope.ownerId || body.s !== (scope.status ?? '')) {
    throw new InvalidArgument('page_token', 'was issued for a different owner_id or status filter; start again without a token');
  }
  checkVideoId(body.i, 'page_token');
  return { createTime: new Date(body.t as number), videoId: body.i };
}
