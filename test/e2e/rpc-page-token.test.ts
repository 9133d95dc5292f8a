// Page tokens over the wire, on both stores (issue 9 item 4): a token with a cursor time
// beyond what a store can hold is INVALID_ARGUMENT even when correctly signed (it used to
// reach the store and come back INTERNAL), an unkeyed or tampered token is
// INVALID_ARGUMENT, and the tokens the service issues walk every page.
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { Code } from '@connectrpc/connect';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVideoServiceClient } from '../../src/client.ts';
import { startTestService, testStoreKinds, type TestService } from '../support/rpc-service.ts';

/** What only a holder of the token secret can make: a correctly keyed token for any body. */
function signedToken(secret: Uint8Array, body: unknown): string {
  const key = Buffer.from(hkdfSync('sha256', secret, new Uint8Array(0), 'videosvc/page-token/hmac-sha256/v1', 32));
  const encoded = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${encoded}.${createHmac('sha256', key).update(encoded).digest().subarray(0, 16).toString('base64url')}`;
}

describe.each(testStoreKinds)('page tokens on %s', (store) => {
  let service: TestService;
  let alice: ReturnType<typeof createVideoServiceClient>;

  beforeAll(async () => {
    service = await startTestService({ store });
    alice = createVideoServiceClient({ baseUrl: service.url, token: await service.mint('alice') });
    for (let i = 0; i < 5; i++) await alice.createVideo({ video: { originalName: `v${i}.mp4` } });
  });
  afterAll(async () => {
    await service?.stop();
  });

  async function codeOf(pageToken: string): Promise<{ code: Code; message: string }> {
    const error = await alice.listVideos({ pageSize: 2, pageToken }).then(
      () => undefined,
      (caught: { code: Code; rawMessage: string }) => caught,
    );
    if (error === undefined) throw new Error('expected the list to be refused');
    return { code: error.code, message: error.rawMessage };
  }

  it('the issued tokens walk every video once', async () => {
    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await alice.listVideos({ pageSize: 2, pageToken });
      seen.push(...page.videos.map((video) => video.originalName));
      pageToken = page.nextPageToken;
    } while (pageToken !== '');
    expect(seen.sort()).toEqual(['v0.mp4', 'v1.mp4', 'v2.mp4', 'v3.mp4', 'v4.mp4']);
  });

  it.each([
    ['beyond the Date range', 8.64e15 + 1],
    ['the last instant of the Date range', 8.64e15],
    ['beyond year 9999', Date.parse('9999-12-31T23:59:59.999Z') + 1],
    ['before year 0000', Date.parse('0000-01-01T00:00:00.000Z') - 1],
  ])('a correctly signed token with a cursor time %s is INVALID_ARGUMENT, never INTERNAL', async (_, t) => {
    const token = signedToken(service.secret, { v: 2, o: 'alice', s: '', t, i: '01936f3e-7a4b-7c3d-8e2f-123456789abc' });
    expect(await codeOf(token)).toEqual({
      code: Code.InvalidArgument,
      message: 'page_token: malformed or tampered with; pass next_page_token exactly as returned',
    });
  });

  it('a token with an unkeyed checksum, or one character changed, is INVALID_ARGUMENT', async () => {
    const encoded = Buffer.from(JSON.stringify({ v: 1, o: 'alice', s: '', t: 0, i: '01936f3e-7a4b-7c3d-8e2f-123456789abc' })).toString('base64url');
    const unkeyed = `${encoded}.${createHash('sha256').update(encoded).digest().subarray(0, 12).toString('base64url')}`;
    expect((await codeOf(unkeyed)).code).toBe(Code.InvalidArgument);
    const issued = (await alice.listVideos({ pageSize: 2 })).nextPageToken;
    const changed = `${issued.slice(0, 5)}${issued[5] === 'A' ? 'B' : 'A'}${issued.slice(6)}`;
    expect((await codeOf(changed)).code).toBe(Code.InvalidArgument);
  });
});
