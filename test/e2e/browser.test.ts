// VideoService from a real browser: headless Chromium (Debian's package, driven by
// playwright-core) loads a page from another origin, whose script calls the service with
// @connectrpc/connect-web and a bearer token. An allowed origin gets through CORS over
// Connect (a POST and a Connect GET) and gRPC-Web, and reads statuses from error answers; an
// origin not on CORS_ORIGINS is stopped by the browser at the preflight.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser/chromium.ts';
import type { PageApi, PageOutcome } from '../support/browser/page-calls.ts';
import { bundlePageScript, servePage, type PageServer } from '../support/browser/page-server.ts';
import { startRequestLineTap, type RequestLineTap } from '../support/request-line-tap.ts';
import { startTestService, type TestService } from '../support/rpc-service.ts';

let browser: Browser | undefined;
let service: TestService | undefined;
let tap: RequestLineTap | undefined;
let allowedPage: PageServer | undefined;
let otherPage: PageServer | undefined;

beforeAll(async () => {
  const script = await bundlePageScript();
  allowedPage = await servePage(script);
  otherPage = await servePage(script);
  service = await startTestService({ corsOrigins: [allowedPage.origin] });
  // The page calls the service through the tap, which notes each request line that reaches it.
  tap = await startRequestLineTap(service.port);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await tap?.close();
  await service?.stop();
  await allowedPage?.close();
  await otherPage?.close();
});

/** Opens the page on `origin` and runs its calls as `owner`; also returns what the browser's console said. */
async function callFromPage(origin: string, owner: string, originalName: string): Promise<{ outcome: PageOutcome; console: string[] }> {
  const page: Page = await browser!.newPage();
  const console: string[] = [];
  page.on('console', (message) => console.push(message.text()));
  try {
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => 'videosvcPage' in globalThis);
    const token = await service!.mint(owner);
    const outcome = await page.evaluate(
      ([baseUrl, bearer, name]) => (globalThis as unknown as { videosvcPage: PageApi }).videosvcPage.runCalls(baseUrl, bearer, name),
      [tap!.url, token, originalName] as const,
    );
    return { outcome, console };
  } finally {
    await page.close();
  }
}

describe('VideoService from headless Chromium', () => {
  it('a page on an allowed origin creates over Connect, reads over Connect GET and lists over gRPC-Web, with its token', async () => {
    const seenBefore = tap!.requests.length;
    const { outcome } = await callFromPage(allowedPage!.origin, 'page-user', 'from-chromium.mp4');
    if (!('ok' in outcome)) throw new Error(`the page's calls failed: ${JSON.stringify(outcome)}`);
    const { created, got, listedOverGrpcWeb, missingOverGrpcWeb, missingOverConnectGet, requestIds } = outcome.ok;
    expect(created).toMatchObject({ ownerId: 'page-user', title: 'from-chromium.mp4 (from a page)' });
    expect(created.videoId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(got).toMatchObject({ videoId: created.videoId, originalName: 'from-chromium.mp4' });
    expect(got.etag).not.toBe('');
    expect(listedOverGrpcWeb).toEqual([created.videoId]);
    // Error statuses reach the page in both protocols.
    expect(missingOverGrpcWeb).toEqual({ code: 'NotFound', message: expect.stringContaining('not found') });
    expect(missingOverConnectGet).toEqual({ code: 'NotFound', message: expect.stringContaining('not found') });

    // What reached the server: a preflight, then the POST; the read as a GET with the request
    // in the query; gRPC-Web as POST.
    const seen = tap!.requests.slice(seenBefore);
    expect(seen).toContain('OPTIONS /video.v1.VideoService/CreateVideo');
    expect(seen).toContain('POST /video.v1.VideoService/CreateVideo');
    const reads = seen.filter((line) => line.includes('/video.v1.VideoService/GetVideo'));
    expect(reads.filter((line) => line.startsWith('GET '))).toHaveLength(2);
    expect(reads.find((line) => line.startsWith('GET '))).toContain(`?connect=v1&encoding=json&message=`);
    expect(reads.find((line) => line.startsWith('GET '))).toContain(created.videoId);
    expect(seen).toContain('POST /video.v1.VideoService/ListVideos');
    expect(reads.filter((line) => line.startsWith('POST '))).toHaveLength(1);
    // And the service served them as the caller the token names; the page read each call's
    // request id (an exposed header) and it is the one in the call's log line.
    const lines = service!.logs.filter((line) => line.caller === 'page-user');
    const requestIdOf = (procedure: string) => lines.find((line) => line.procedure === `/video.v1.VideoService/${procedure}` && line.code === 'ok')?.requestId;
    expect(requestIds).toEqual({
      CreateVideo: requestIdOf('CreateVideo'),
      GetVideo: requestIdOf('GetVideo'),
      ListVideos: requestIdOf('ListVideos'),
    });
    expect(requestIds.GetVideo).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.map((line) => [line.procedure, line.code])).toEqual(
      expect.arrayContaining([
        ['/video.v1.VideoService/CreateVideo', 'ok'],
        ['/video.v1.VideoService/GetVideo', 'ok'],
        ['/video.v1.VideoService/ListVideos', 'ok'],
        ['/video.v1.VideoService/GetVideo', 'not_found'],
      ]),
    );
  });

  it('a page on an origin not on CORS_ORIGINS is stopped at the preflight: fetch rejects and nothing is created', async () => {
    const seenBefore = tap!.requests.length;
    const { outcome, console } = await callFromPage(otherPage!.origin, 'outsider', 'never.mp4');
    expect(outcome).toEqual({ failed: { code: 'Unknown', message: 'Failed to fetch' } });
    expect(console.join('\n')).toMatch(/blocked by CORS policy/);
    const seen = tap!.requests.slice(seenBefore);
    expect(seen).toEqual(['OPTIONS /video.v1.VideoService/CreateVideo']);
    expect(service!.logs.filter((line) => line.caller === 'outsider')).toEqual([]);
  });
});
