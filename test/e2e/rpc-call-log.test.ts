// The call log's code for calls the interceptors never settle: what the client actually got.
import http2 from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/rpc-service.ts';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service?.stop();
});

async function logLinesAfter(skip: number, count: number): Promise<Record<string, unknown>[]> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (service.logs.length >= skip + count) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return service.logs.slice(skip);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('no log line');
}

describe('a gRPC call the client resets (RST_STREAM CANCEL) before the answer', () => {
  it.each([
    ['before sending its request message', false],
    ['right after sending its request message', true],
  ])('%s is logged once, as canceled', async (_when, sendBody) => {
    const session = http2.connect(service.url);
    const skip = service.logs.length;
    const stream = session.request({
      ':method': 'POST',
      ':path': '/video.v1.VideoService/ListVideos',
      'content-type': 'application/grpc',
      te: 'trailers',
      authorization: `Bearer ${await service.mint('canceller')}`,
    });
    stream.on('error', () => undefined);
    // An empty ListVideosRequest: one uncompressed envelope of zero bytes.
    if (sendBody) stream.write(Buffer.alloc(5));
    await new Promise((resolve) => setTimeout(resolve, sendBody ? 0 : 20));
    stream.close(http2.constants.NGHTTP2_CANCEL);
    await new Promise((resolve) => stream.once('close', resolve));
    const lines = await logLinesAfter(skip, 1);
    session.close();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ procedure: '/video.v1.VideoService/ListVideos', code: 'canceled' });
  });
});
