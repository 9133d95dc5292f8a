// Minting tokens the service accepts (SPEC §4): HS256, sub, iat, exp, and the admin scope
// when asked. Used by the CLI's `videosvc token` and by tests.
import { SignJWT } from 'jose';
import { adminScope } from '../../app/principal.ts';

export interface MintTokenOptions {
  readonly secret: Uint8Array;
  readonly subject: string;
  readonly admin?: boolean;
  readonly ttlSeconds: number;
  readonly issuer?: string;
  readonly audience?: string;
}

/** Signs a bearer token for `subject` valid for `ttlSeconds`. */
export async function mintToken(options: MintTokenOptions): Promise<string> {
  const issuedAt = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT(options.admin ? { scope: adminScope } : {})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.subject)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + options.ttlSeconds);
  if (options.issuer !== undefined) jwt.setIssuer(options.issuer);
  if (options.audience !== undefined) jwt.setAudience(options.audience);
  return jwt.sign(options.secret);
}
