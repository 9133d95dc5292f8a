// Bearer-token verification (SPEC §4): HS256 JWTs signed with the token secret, with a
// bounded cache so a repeated token is not re-verified from scratch on every call.
// SPEC §6 bounds tokens to 8 KiB: a longer authorization value is refused before it is
// parsed, hashed or verified, so a large validly signed token costs a length check only.
import { errors, jwtVerify, type JWTPayload } from 'jose';
import { principalOf, type Principal } from '../../app/principal.ts';
import { TokenExpired, TokenMissing, Unauthenticated } from '../../domain/errors.ts';
import type { TokenSecretRing, TokenSecrets } from '../../domain/ports.ts';
import { checkOwnerId } from '../../domain/validation.ts';
import { defaultCacheMaxBytes, VerifiedTokenCache } from './verified-cache.ts';

/**
 * Turns an `authorization` header value into the caller, or rejects with Unauthenticated and
 * a short reason. A token it has verified before is answered at once, without a Promise.
 */
export interface TokenVerifier {
  verify(authorization: string | null): Principal | Promise<Principal>;
}

export interface TokenVerifierOptions {
  readonly ring: TokenSecretRing;
  readonly issuer?: string;
  readonly audience?: string;
  /** The verified-token cache's byte bound; default 4 MiB (defaultCacheMaxBytes). */
  readonly cacheMaxBytes?: number;
  /** For tests: a cache of the caller's, to watch its size. */
  readonly cache?: VerifiedTokenCache;
  /** For tests: the clock the cache checks `exp` against. */
  readonly now?: () => number;
}

/** SPEC §4: clock tolerance for exp/nbf/iat, shared by jose and the cache so both agree. */
export const clockToleranceSeconds = 30;

/** SPEC §6: the longest authorization header value accepted (a header value is one byte per character). */
export const maxAuthorizationBytes = 8 * 1024;

const bearerPattern = /^Bearer +([^ ]+) *$/i;

/** Creates the verifier: jose jwtVerify (HS256 only), current then previous secret, cached principals. */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const now = options.now ?? Date.now;
  const cache =
    options.cache ??
    new VerifiedTokenCache({ maxBytes: options.cacheMaxBytes ?? defaultCacheMaxBytes, toleranceSeconds: clockToleranceSeconds, now });
  let cachedFor: TokenSecrets | undefined;

  // One verification with every secret in force; a signature failure moves on to the next secret.
  async function verifyWith(secrets: TokenSecrets, token: string): Promise<JWTPayload> {
    const keys = secrets.previous === undefined ? [secrets.current] : [secrets.current, secrets.previous];
    let failure: unknown;
    for (const key of keys) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          requiredClaims: ['sub', 'exp'],
          clockTolerance: clockToleranceSeconds,
          currentDate: new Date(now()),
          issuer: options.issuer,
          audience: options.audience,
        });
        return payload;
      } catch (error) {
        if (!(error instanceof errors.JWSSignatureVerificationFailed)) throw error;
        failure = error;
      }
    }
    throw failure;
  }

  /**
   * The principal cached for the token in `authorization`, if it is well-formed, cached under
   * the current secrets and within its exp; else undefined, and the full path decides.
   */
  function cachedPrincipal(authorization: string | null): Principal | undefined {
    if (options.ring.secrets() !== cachedFor) return undefined;
    const token = tokenIn(authorization);
    return token === undefined ? undefined : cache.get(token);
  }

  return {
    // A cache hit is answered synchronously: a Promise, an async frame and a microtask turn
    // less on nearly every call (issue 10); every refusal still comes as a rejection.
    verify(authorization) {
      return cachedPrincipal(authorization) ?? verifyFully(authorization);
    },
  };

  async function verifyFully(authorization: string | null): Promise<Principal> {
    const token = bearerToken(authorization);
    const secrets = options.ring.secrets();
    // A rotation invalidates what the old secrets vouched for. (A cached token never gets
    // here: verify() answered it from the cache.)
    if (secrets !== cachedFor) {
      cache.clear();
      cachedFor = secrets;
    }
    let payload: JWTPayload;
    try {
      payload = await verifyWith(secrets, token);
    } catch (error) {
      // The secret may have rotated since we last read it; the ring rate-limits this.
      if (!(error instanceof errors.JWSSignatureVerificationFailed) || !(await options.ring.refreshAfterFailure())) {
        throw unauthenticated(error);
      }
      try {
        payload = await verifyWith(options.ring.secrets(), token);
      } catch (retryError) {
        throw unauthenticated(retryError);
      }
    }
    // jose checks iat only together with maxTokenAge, which would make iat required; SPEC
    // §4 does not require it, but one issued beyond the tolerance in the future is forged
    // or from a broken clock, and would outlive its apparent ttl.
    if (typeof payload.iat === 'number' && payload.iat > now() / 1000 + clockToleranceSeconds) {
      throw new Unauthenticated('token issued in the future');
    }
    const principal = principalFromClaims(payload);
    // Cache only under the secrets that verified it, so a rotation seen mid-call cannot mix them up.
    if (options.ring.secrets() === cachedFor) cache.set(token, principal, payload.exp as number);
    return principal;
  }
}

/** The token of a well-formed `Bearer <token>` value within the size bound, else undefined. */
function tokenIn(authorization: string | null): string | undefined {
  if (authorization === null || authorization.length > maxAuthorizationBytes) return undefined;
  return bearerPattern.exec(authorization.trim())?.[1];
}

/** The token in `authorization`, or Unauthenticated saying what is wrong with the header. */
function bearerToken(authorization: string | null): string {
  const token = tokenIn(authorization);
  if (token !== undefined) return token;
  if (authorization !== null && authorization.length > maxAuthorizationBytes) {
    throw new Unauthenticated(`token longer than ${maxAuthorizationBytes} bytes`);
  }
  if (authorization === null || authorization.trim() === '') throw new TokenMissing();
  throw new Unauthenticated('authorization header must be "Bearer <token>"');
}

function principalFromClaims(payload: JWTPayload): Principal {
  if (typeof payload.sub !== 'string') throw new Unauthenticated('invalid sub claim');
  try {
    checkOwnerId(payload.sub);
  } catch {
    throw new Unauthenticated('invalid sub claim');
  }
  if (payload.scope !== undefined && typeof payload.scope !== 'string') throw new Unauthenticated('invalid scope claim');
  return principalOf(payload.sub, payload.scope);
}

// Short reasons only (SPEC §4): say which check failed, never echo the token or the secret.
function unauthenticated(error: unknown): Unauthenticated {
  if (error instanceof Unauthenticated) return error;
  if (error instanceof errors.JWTExpired) return new TokenExpired();
  if (error instanceof errors.JWSSignatureVerificationFailed) return new Unauthenticated('invalid signature');
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return new Unauthenticated('unsupported algorithm');
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return new Unauthenticated(`missing ${error.claim} claim`);
    if (error.claim === 'nbf') return new Unauthenticated('token not yet valid');
    return new Unauthenticated(`invalid ${error.claim} claim`);
  }
  return new Unauthenticated('malformed token');
}
