// Attacks on the token path (issue 9 item 3): a huge validly signed token must be refused
// for the price of a length check, and many large distinct tokens must neither grow the
// verified-token cache past its byte bound nor slow cached look-ups (long equal-length
// token strings used to collide in V8's string hash: 47 ms per call with 3 000 cached).
// Light counts by default; VIDEOSVC_ATTACK_HEAVY=1 (npm run test:attack) uses the full ones.
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { VerifiedTokenCache, defaultCacheMaxBytes } from '../../src/adapters/token/verified-cache.ts';
import { clockToleranceSeconds, createTokenVerifier } from '../../src/adapters/token/verifier.ts';
import { Unauthenticated } from '../../src/domain/errors.ts';
import { fixedSecretRing } from '../support/rpc-service.ts';

const heavy = process.env.VIDEOSVC_ATTACK_HEAVY === '1';
const secret = new TextEncoder().encode('s'.repeat(32));
const exp = () => Math.floor(Date.now() / 1000) + 3600;

/** A validly signed token of about `bytes` bytes for `subject`. */
function signedToken(subject: string, bytes: number): Promise<string> {
  // base64url grows the payload by 4/3; the header and signature add ~80 bytes.
  const pad = 'p'.repeat(Math.max(0, Math.floor(((bytes - 120) * 3) / 4) - 40));
  return new SignJWT({ pad }).setProtectedHeader({ alg: 'HS256' }).setSubject(subject).setExpirationTime(exp()).sign(secret);
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

describe('attack: oversized and many large tokens', () => {
  const iterations = heavy ? 200_000 : 20_000;

  it(`a 60 KB validly signed token is refused in < 50 µs on average (${iterations} tries)`, async () => {
    const verifier = createTokenVerifier({ ring: fixedSecretRing(secret) });
    const token = await signedToken('alice', 60_000);
    expect(token.length).toBeGreaterThan(59_000);
    const header = `Bearer ${token}`;
    const refuse = () =>
      Promise.resolve(verifier.verify(header)).then(
        () => 'accepted',
        (error: unknown) => (error instanceof Unauthenticated ? error.message : String(error)),
      );
    expect(await refuse()).toBe('token longer than 8192 bytes');
    for (let i = 0; i < 1_000; i++) await refuse(); // warm up the JIT
    const started = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await refuse();
    const meanUs = Number(process.hrtime.bigint() - started) / 1e3 / iterations;
    console.log(`token-size: ${iterations} refusals of a ${token.length}-byte signed token, mean ${meanUs.toFixed(2)} µs`);
    expect(meanUs).toBeLessThan(50);
  });

  const distinct = heavy ? 30_000 : 3_000;
  const maxBytes = heavy ? defaultCacheMaxBytes : 256 * 1024;

  it(`${distinct} distinct 8 KB tokens keep the cache within its ${maxBytes / 1024} KiB bound, and cached look-ups stay fast`, async () => {
    const cache = new VerifiedTokenCache({ maxBytes, toleranceSeconds: clockToleranceSeconds, now: Date.now });
    const verifier = createTokenVerifier({ ring: fixedSecretRing(secret), cache });
    const rssBefore = process.memoryUsage().rss;
    // Same length for all, the shape that collided in V8's string hash. Each token is
    // verified as it is minted and only the latest few are kept, so the RSS figure is the
    // service's cache (plus garbage), not the test holding every token.
    const keep = 500;
    const recent: string[] = [];
    let length: number | undefined;
    let largest = 0;
    for (let i = 0; i < distinct; i++) {
      const token = await signedToken(`user${String(i).padStart(6, '0')}`, 8_000);
      length ??= token.length;
      expect(token.length).toBe(length);
      await verifier.verify(`Bearer ${token}`);
      largest = Math.max(largest, cache.bytes);
      recent.push(token);
      if (recent.length > keep) recent.shift();
    }
    expect(largest).toBeLessThanOrEqual(maxBytes);
    expect(cache.size).toBeGreaterThanOrEqual(keep);

    // Look-ups of the latest tokens, all still cached: each must be a hit, and cheap.
    const started = process.hrtime.bigint();
    for (const token of recent) expect((await verifier.verify(`Bearer ${token}`)).ownerId).toMatch(/^user/);
    const hitUs = Number(process.hrtime.bigint() - started) / 1e3 / recent.length;
    const rssAfter = process.memoryUsage().rss;
    console.log(
      `token-size: ${distinct} distinct ${length}-byte tokens, cache ${cache.size} entries / ${cache.bytes} bytes ` +
        `(bound ${maxBytes}), cached hit mean ${hitUs.toFixed(1)} µs, RSS ${mb(rssBefore)} → ${mb(rssAfter)} MB`,
    );
    // A hit hashes ≤ 8 KiB and does one Map look-up; 1 ms leaves a wide margin on a busy machine.
    expect(hitUs).toBeLessThan(1_000);
  });
});
