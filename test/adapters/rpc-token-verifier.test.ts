// The token verifier's own rules: cache bounded and never used past exp, emptied on
// rotation; previous secret accepted; refresh-and-retry after a signature failure.
import { describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { Unauthenticated } from '../../src/domain/errors.ts';
import type { TokenSecretRing, TokenSecrets } from '../../src/domain/ports.ts';
import { mintToken } from '../../src/adapters/token/mint.ts';
import { createTokenVerifier, maxAuthorizationBytes } from '../../src/adapters/token/verifier.ts';
import { cacheKeyOf, estimateEntryBytes, rawKeyMaxLength, tokenDigest, VerifiedTokenCache } from '../../src/adapters/token/verified-cache.ts';

const secretA = new TextEncoder().encode('a'.repeat(32));
const secretB = new TextEncoder().encode('b'.repeat(32));

function ring(initial: TokenSecrets, onRefresh?: () => TokenSecrets | undefined): TokenSecretRing & { set(next: TokenSecrets): void; refreshes: number } {
  let secrets = initial;
  const state = {
    refreshes: 0,
    secrets: () => secrets,
    set(next: TokenSecrets) {
      secrets = next;
    },
    async refreshAfterFailure() {
      state.refreshes++;
      const next = onRefresh?.();
      if (next === undefined) return false;
      secrets = next;
      return true;
    },
    close() {},
  };
  return state;
}

async function reasonOf(verified: unknown): Promise<string> {
  const error = await Promise.resolve(verified).then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(Unauthenticated);
  return (error as Error).message;
}

describe('createTokenVerifier', () => {
  it('verifies an HS256 token into the principal, admin scope included', async () => {
    const verifier = createTokenVerifier({ ring: ring({ current: secretA }) });
    const token = await mintToken({ secret: secretA, subject: 'worker', admin: true, ttlSeconds: 60 });
    expect(await verifier.verify(`Bearer ${token}`)).toEqual({ ownerId: 'worker', isAdmin: true });
  });

  it('accepts the previous secret during a rotation and signs nothing with it', async () => {
    const verifier = createTokenVerifier({ ring: ring({ current: secretB, previous: secretA }) });
    const old = await mintToken({ secret: secretA, subject: 'alice', ttlSeconds: 60 });
    expect((await verifier.verify(`Bearer ${old}`)).ownerId).toBe('alice');
  });

  it('after a signature failure refreshes the ring once and retries when the secrets changed', async () => {
    const secrets = ring({ current: secretA }, () => ({ current: secretB, previous: secretA }));
    const verifier = createTokenVerifier({ ring: secrets });
    const fresh = await mintToken({ secret: secretB, subject: 'alice', ttlSeconds: 60 });
    expect((await verifier.verify(`Bearer ${fresh}`)).ownerId).toBe('alice');
    expect(secrets.refreshes).toBe(1);
  });

  it('a wrong signature with no newer secret is "invalid signature" after one refresh', async () => {
    const secrets = ring({ current: secretA });
    const verifier = createTokenVerifier({ ring: secrets });
    const foreign = await mintToken({ secret: secretB, subject: 'alice', ttlSeconds: 60 });
    expect(await reasonOf(verifier.verify(`Bearer ${foreign}`))).toBe('invalid signature');
    expect(secrets.refreshes).toBe(1);
  });

  it('enforces issuer and audience when configured', async () => {
    const verifier = createTokenVerifier({ ring: ring({ current: secretA }), issuer: 'idp', audience: 'videosvc' });
    const good = await mintToken({ secret: secretA, subject: 'alice', ttlSeconds: 60, issuer: 'idp', audience: 'videosvc' });
    expect((await verifier.verify(`Bearer ${good}`)).ownerId).toBe('alice');
    const wrongIssuer = await mintToken({ secret: secretA, subject: 'alice', ttlSeconds: 60, issuer: 'other', audience: 'videosvc' });
    expect(await reasonOf(verifier.verify(`Bearer ${wrongIssuer}`))).toBe('invalid iss claim');
    const noAudience = await mintToken({ secret: secretA, subject: 'alice', ttlSeconds: 60, issuer: 'idp' });
    expect(await reasonOf(verifier.verify(`Bearer ${noAudience}`))).toMatch(/aud claim/);
  });

  it('refuses a non-string scope and a sub that is no owner id', async () => {
    const verifier = createTokenVerifier({ ring: ring({ current: secretA }) });
    const exp = Math.floor(Date.now() / 1000) + 60;
    const arrayScope = await new SignJWT({ scope: ['videos:admin'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setExpirationTime(exp).sign(secretA);
    expect(await reasonOf(verifier.verify(`Bearer ${arrayScope}`))).toBe('invalid scope claim');
    const badSub = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('al ice/..').setExpirationTime(exp).sign(secretA);
    expect(await reasonOf(verifier.verify(`Bearer ${badSub}`))).toBe('invalid sub claim');
  });

  it('answers a token it verified before at once, without a Promise, and a refusal always as a rejection', async () => {
    const verifier = createTokenVerifier({ ring: ring({ current: secretA }) });
    const token = await mintToken({ secret: secretA, subject: 'alice', ttlSeconds: 60 });
    const first = verifier.verify(`Bearer ${token}`);
    expect(first).toBeInstanceOf(Promise);
    expect((await first).ownerId).toBe('alice');
    expect(verifier.verify(`Bearer ${token}`)).toEqual({ ownerId: 'alice', isAdmin: false });
    expect(verifier.verify(`bearer  ${token} `)).toEqual({ ownerId: 'alice', isAdmin: false });
    for (const header of [null, '', 'Basic abc', `Bearer ${token}x`, `Bearer ${'x'.repeat(9000)}`]) {
      const refused = verifier.verify(header);
      expect(refused).toBeInstanceOf(Promise);
      await expect(refused).rejects.toBeInstanceOf(Unauthenticated);
    }
  });

  it('a cached token is refused once its exp (+30 s tolerance) has passed', async () => {
    let nowMs = Date.now();
    const verifier = createTokenVerifier({ ring: ring({ current: secretA }), now: () => nowMs });
    const token = await mintToken({ secret: secretA, subject: 'alice', ttlSeconds: 10 });
    expect((await verifier.verify(`Bearer ${token}`)).ownerId).toBe('alice');
    nowMs += 35_000;
    expect((await verifier.verify(`Bearer ${token}`)).ownerId).toBe('alice');
    nowMs += 10_000;
    expect(await reasonOf(verifier.verify(`Bearer ${token}`))).toBe('token expired');
  });

  it('empties its cache when the ring rotates: a token of the dropped secret stops working at once', async () => {
    const secrets = ring({ current: secretA });
    const verifier = createTokenVerifier({ ring: secrets });
    const token = await mintToken({ secret: secretA, subject: 'alice', ttlSeconds: 60 });
    await verifier.verify(`Bearer ${token}`);
    secrets.set({ current: secretB });
    expect(await reasonOf(verifier.verify(`Bearer ${token}`))).toBe('invalid signature');
  });

  it('refuses an authorization value over 8 KiB with a short reason, even when validly signed', async () => {
    const verifier = createTokenVerifier({ ring: ring({ current: secretA }) });
    const exp = Math.floor(Date.now() / 1000) + 60;
    const big = await new SignJWT({ pad: 'p'.repeat(9000) }).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setExpirationTime(exp).sign(secretA);
    expect(await reasonOf(verifier.verify(`Bearer ${big}`))).toBe('token longer than 8192 bytes');
    // The bound is on the whole header value: exactly 8 KiB still goes on to verification.
    const header = `Bearer ${'a'.repeat(maxAuthorizationBytes - 7)}`;
    expect(header).toHaveLength(maxAuthorizationBytes);
    expect(await reasonOf(verifier.verify(header))).toBe('malformed token');
  });

  it('refuses a token issued beyond the 30 s tolerance in the future, and accepts one within it', async () => {
    const nowMs = Date.now();
    const verifier = createTokenVerifier({ ring: ring({ current: secretA }), now: () => nowMs });
    const nowSeconds = Math.floor(nowMs / 1000);
    const issuedAt = (iat: number) =>
      new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setIssuedAt(iat).setExpirationTime(iat + 3600).sign(secretA);
    expect(await reasonOf(verifier.verify(`Bearer ${await issuedAt(nowSeconds + 365 * 86_400)}`))).toBe('token issued in the future');
    expect(await reasonOf(verifier.verify(`Bearer ${await issuedAt(nowSeconds + 31)}`))).toBe('token issued in the future');
    expect((await verifier.verify(`Bearer ${await issuedAt(nowSeconds + 29)}`)).ownerId).toBe('alice');
  });
});

describe('VerifiedTokenCache', () => {
  const principal = { ownerId: 'alice', isAdmin: false };
  // The tokens below are one character long, so each is its own one-byte key.
  const entryBytes = estimateEntryBytes(principal, 1);

  it('keeps its entries within its byte bound, evicting the least recently used', () => {
    const cache = new VerifiedTokenCache({ maxBytes: 2 * entryBytes, toleranceSeconds: 30, now: () => 0 });
    cache.set('a', principal, 100);
    cache.set('b', principal, 100);
    expect(cache.get('a')).toEqual(principal);
    cache.set('c', principal, 100);
    expect(cache.size).toBe(2);
    expect(cache.bytes).toBe(2 * entryBytes);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toEqual(principal);
    expect(cache.get('c')).toEqual(principal);
  });

  it('never returns an entry at or past exp + tolerance, and gives its bytes back', () => {
    let nowMs = 0;
    const cache = new VerifiedTokenCache({ maxBytes: 10 * entryBytes, toleranceSeconds: 30, now: () => nowMs });
    cache.set('t', principal, 100);
    nowMs = 129_999;
    expect(cache.get('t')).toBeDefined();
    nowMs = 130_000;
    expect(cache.get('t')).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });

  it('keys a long token by its 32-byte digest, so its entry costs the same however long it is; a short token is its own key', () => {
    const cache = new VerifiedTokenCache({ maxBytes: 100 * entryBytes, toleranceSeconds: 30, now: () => 0 });
    const digestKeyBytes = estimateEntryBytes(principal, 33);
    cache.set('x'.repeat(8000), principal, 100);
    expect(cache.bytes).toBe(digestKeyBytes);
    cache.set('x'.repeat(rawKeyMaxLength + 1), principal, 100);
    expect(cache.bytes).toBe(2 * digestKeyBytes);
    cache.set('x'.repeat(rawKeyMaxLength), principal, 100);
    expect(cache.bytes).toBe(2 * digestKeyBytes + estimateEntryBytes(principal, rawKeyMaxLength));
    cache.set('y', principal, 100);
    expect(cache.bytes).toBe(2 * digestKeyBytes + estimateEntryBytes(principal, rawKeyMaxLength) + entryBytes);
    expect(tokenDigest('x'.repeat(8000))).toHaveLength(32);
    expect(cacheKeyOf('x'.repeat(8000))).toBe(` ${tokenDigest('x'.repeat(8000))}`);
    expect(cacheKeyOf('y')).toBe('y');
    expect(cache.get('x'.repeat(8000))).toEqual(principal);
    expect(cache.get('x'.repeat(7999) + 'y')).toBeUndefined();
    expect(cache.get('x'.repeat(rawKeyMaxLength))).toEqual(principal);
    expect(cache.get('y')).toEqual(principal);
    expect(cache.get('z')).toBeUndefined();
  });

  it('caches nothing with a bound of 0', () => {
    const cache = new VerifiedTokenCache({ maxBytes: 0, toleranceSeconds: 30, now: () => 0 });
    cache.set('a', principal, 100);
    expect(cache.size).toBe(0);
  });
});
