// How much the verified-token cache saves: verify cost of one repeated token (cached)
// against a fresh token each time (uncached, full HS256 verification by jose).
// Run: npx tsx bench/token-verify.ts
import { mintToken } from '../src/adapters/token/mint.ts';
import { createTokenVerifier } from '../src/adapters/token/verifier.ts';

const secret = new TextEncoder().encode('bench-secret-bench-secret-bench-secret');
const ring = { secrets: () => secrets, refreshAfterFailure: async () => false, close() {} };
const secrets = { current: secret };
const rounds = 20_000;

async function timeMs(label: string, run: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < 1_000; i++) await run(i); // warm-up
  const started = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) await run(i);
  const perCallUs = Number(process.hrtime.bigint() - started) / 1e3 / rounds;
  console.log(`${label.padEnd(10)} ${perCallUs.toFixed(2)} µs per verify`);
  return perCallUs;
}

const tokens = await Promise.all(
  Array.from({ length: rounds + 1_000 }, (_, i) => mintToken({ secret, subject: `user-${i}`, ttlSeconds: 3600 })),
);
const repeated = `Bearer ${tokens[0]}`;
// cacheMaxBytes 0 keeps nothing: every call is a full verification.
const uncachedVerifier = createTokenVerifier({ ring, cacheMaxBytes: 0 });
const cachedVerifier = createTokenVerifier({ ring });
const uncached = await timeMs('uncached', (i) => uncachedVerifier.verify(`Bearer ${tokens[i % tokens.length]}`));
const cached = await timeMs('cached', () => cachedVerifier.verify(repeated));
console.log(`ratio      ${(uncached / cached).toFixed(1)}× faster when cached (${rounds} calls each)`);
