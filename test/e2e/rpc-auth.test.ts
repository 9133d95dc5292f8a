// SPEC §4 over the wire: every bad token is UNAUTHENTICATED with a short reason, and no
// token text ever reaches the log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code } from '@connectrpc/connect';
import { generateKeyPair, SignJWT } from 'jose';
import { createVideoServiceClient } from '../../src/client.ts';
import { failureOf } from '../support/rpc-clients.ts';
import { startTestService, type TestService } from '../support/rpc-service.ts';

let service: TestService;
const usedTokens: string[] = [];

beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service?.stop();
});

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

const now = () => Math.floor(Date.now() / 1000);

/** Tokens that must be refused, with the reason the caller should see. */
const badTokens: [string, () => Promise<string | null>, string][] = [
  ['no authorization header', async () => null, 'missing bearer token'],
  ['a token that is not a JWT', async () => 'Bearer not-a-jwt', 'malformed token'],
  ['a scheme other than Bearer', async () => `Basic ${await service.mint('alice')}`, 'authorization header must be "Bearer <token>"'],
  ['an expired token (beyond the 30 s tolerance)', async () => `Bearer ${await service.mint('alice', { ttlSeconds: -60 })}`, 'token expired'],
  [
    'a token signed with another secret',
    async () => `Bearer ${await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setExpirationTime(now() + 60).sign(new TextEncoder().encode('another-secret-another-secret-32b'))}`,
    'invalid signature',
  ],
  ['alg: none', async () => `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: 'alice', exp: now() + 60 })}.`, 'unsupported algorithm'],
  [
    'HS512 with the right secret',
    async () => `Bearer ${await new SignJWT({}).setProtectedHeader({ alg: 'HS512' }).setSubject('alice').setExpirationTime(now() + 60).sign(service.secret)}`,
    'unsupported algorithm',
  ],
  [
    'RS256 (public-key confusion)',
    async () => {
      const { privateKey } = await generateKeyPair('RS256');
      return `Bearer ${await new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setSubject('alice').setExpirationTime(now() + 60).sign(privateKey)}`;
    },
    'unsupported algorithm',
  ],
  ['a token without sub', async () => `Bearer ${await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(now() + 60).sign(service.secret)}`, 'missing sub claim'],
  ['a token without exp', async () => `Bearer ${await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').sign(service.secret)}`, 'missing exp claim'],
];

describe.each(['grpc', 'connect'] as const)('UNAUTHENTICATED over %s', (protocol) => {
  it.each(badTokens)('%s is refused', async (_name, authorization, reason) => {
    const header = await authorization();
    if (header !== null) usedTokens.push(header.replace(/^\w+ /, ''));
    const client = createVideoServiceClient({ baseUrl: service.url, token: 'unused', protocol, interceptors: [
      (next) => async (request) => {
        if (header === null) request.header.delete('authorization');
        else request.header.set('authorization', header);
        return next(request);
      },
    ] });
    expect(await failureOf(client.listVideos({}))).toEqual({ code: Code.Unauthenticated, message: reason });
  });
});

describe('valid tokens', () => {
  it('a token function is called per request, and the principal is the token subject', async () => {
    let calls = 0;
    const client = createVideoServiceClient({
      baseUrl: service.url,
      token: async () => {
        calls++;
        const token = await service.mint('dora');
        usedTokens.push(token);
        return token;
      },
    });
    const { video } = await client.createVideo({ video: { originalName: 'a.mp4' } });
    await client.getVideo({ videoId: video!.videoId });
    expect(video?.ownerId).toBe('dora');
    expect(calls).toBe(2);
  });

  it('health and reflection need no token', async () => {
    const response = await fetch(`${service.url}/grpc.health.v1.Health/Check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(await response.json()).toEqual({ status: 'SERVING' });
  });

  it('no token text appears in any log line', () => {
    expect(usedTokens.length).toBeGreaterThan(10);
    const log = service.rawLog.join('');
    for (const token of usedTokens) {
      const signatureOrBody = token.split('.').find((part) => part.length > 8) ?? token;
      expect(log).not.toContain(signatureOrBody);
    }
    // No header and no credential; the refusal messages themselves may name them
    // ('missing bearer token', 'authorization header must be "Bearer <token>"').
    expect(log).not.toMatch(/"authorization"\s*:|bearer\s+[A-Za-z0-9_-]{8,}/i);
  });
});
