// Credentials for a bench run: one random token secret, bearer tokens signed with it by
// the service's own minting code, and a deep page token made by the service's own codec
// (so the bench does not walk 2 000 pages to reach it).
import { randomBytes } from 'node:crypto';
import { createPageTokenCodec } from '../src/app/page-token.ts';
import { tokenSecretBytes } from '../src/adapters/secret/secret-bytes.ts';
import { mintToken } from '../src/adapters/token/mint.ts';
import type { Video } from '../src/domain/video.ts';

/** A fresh JWT_SECRET for this run (48 base64url characters, above the 32-byte minimum). */
export function newJwtSecret(): string {
  return randomBytes(36).toString('base64url');
}

/** `Bearer <token>` for `owner` (with the admin scope when asked), valid for the whole run. */
export async function bearerFor(jwtSecret: string, owner: string, admin = false): Promise<string> {
  const token = await mintToken({ secret: tokenSecretBytes(jwtSecret, 'JWT_SECRET'), subject: owner, admin, ttlSeconds: 6 * 3600 });
  return `Bearer ${token}`;
}

/** The page token the service would return after `last` in an unfiltered listing of its owner. */
export function pageTokenAfter(jwtSecret: string, last: Video): string {
  const secrets = { current: tokenSecretBytes(jwtSecret, 'JWT_SECRET') };
  return createPageTokenCodec(() => secrets).encode({ createTime: last.createTime, videoId: last.videoId }, { ownerId: last.ownerId });
}
