// CORS and Connect GET on the wire, without a browser: what a page's preflight and its calls
// get back over HTTP/1.1 and HTTP/2, with CORS_ORIGINS unset and set, on both the lean path
// (Connect JSON, plain gRPC) and connect-node (Connect GET, gRPC-Web).
import http, { type IncomingHttpHeaders } from 'node:http';
import http2 from 'node:http2';
import { create, toBinary } from '@bufbuild/protobuf';
import { cors } from '@connectrpc/connect';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetVideoRequestSchema } from '../../src/gen/video/v1/video_service_pb.ts';
import { startTestService, type TestService } from '../support/rpc-service.ts';

const allowedOrigin = 'https://app.example';
const otherOrigin = 'https://elsewhere.example';
const getVideoPath = '/video.v1.VideoService/GetVideo';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface Sent {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

function overHttp1(url: string, sent: Sent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${url}${sent.path}`, { method: sent.method, headers: sent.headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
    request.end(sent.body);
  });
}

/** The answer's head, body and trailers merged into `headers` (gRPC puts its status in trailers). */
function overHttp2(url: string, sent: Sent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    session.on('error', reject);
    const stream = session.request({ ':method': sent.method, ':path': sent.path, ...sent.headers });
    const chunks: Buffer[] = [];
    let head: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders = {};
    stream.on('response', (headers) => (head = headers as IncomingHttpHeaders));
    stream.on('trailers', (headers) => (trailers = headers as IncomingHttpHeaders));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', reject);
    stream.on('end', () => {
      session.close();
      resolve({ status: Number(head[':status']), headers: { ...head, ...trailers }, body: Buffer.concat(chunks) });
    });
    stream.end(sent.body);
  });
}

const transports = [
  ['HTTP/1.1', overHttp1],
  ['HTTP/2', overHttp2],
] as const;

function accessControlHeaders(headers: IncomingHttpHeaders): string[] {
  return Object.keys(headers).filter((name) => name.startsWith('access-control-'));
}

function listOf(value: string | string[] | undefined): string[] {
  return String(value ?? '').split(',').map((item) => item.trim().toLowerCase()).filter((item) => item !== '');
}

function preflight(origin: string, path = getVideoPath): Sent {
  return {
    method: 'OPTIONS',
    path,
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,connect-protocol-version,content-type' },
  };
}

function connectJson(path: string, message: unknown, headers: Record<string, string>): Sent {
  return { method: 'POST', path, headers: { 'content-type': 'application/json', 'connect-protocol-version': '1', ...headers }, body: JSON.stringify(message) };
}

function connectGet(procedure: string, message: unknown, headers: Record<string, string>): Sent {
  const query = new URLSearchParams({ connect: 'v1', encoding: 'json', message: JSON.stringify(message) });
  return { method: 'GET', path: `/video.v1.VideoService/${procedure}?${query}`, headers };
}

function envelope(message: Uint8Array): Buffer {
  const framed = Buffer.alloc(5 + message.byteLength);
  framed.writeUInt32BE(message.byteLength, 1);
  framed.set(message, 5);
  return framed;
}

async function createVideo(service: TestService, token: string, originalName: string): Promise<{ ownerId: string; videoId: string }> {
  const answer = await overHttp1(service.url, connectJson('/video.v1.VideoService/CreateVideo', { video: { originalName } }, { authorization: `Bearer ${token}` }));
  expect(answer.status).toBe(200);
  const { video } = JSON.parse(answer.body.toString()) as { video: { ownerId: string; videoId: string } };
  return { ownerId: video.ownerId, videoId: video.videoId };
}

describe('with CORS_ORIGINS unset (the default)', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(async () => {
    await service?.stop();
  });

  it.each(transports)('a preflight over %s gets 405 and no Access-Control-* header', async (_name, send) => {
    const answer = await send(service.url, preflight(allowedOrigin));
    expect(answer.status).toBe(405);
    expect(accessControlHeaders(answer.headers)).toEqual([]);
  });

  it('a call carrying an Origin is served with no Access-Control-* header', async () => {
    const token = await service.mint('corsoff');
    const answer = await overHttp1(service.url, connectJson('/video.v1.VideoService/CreateVideo', { video: { originalName: 'a.mp4' } }, { origin: allowedOrigin, authorization: `Bearer ${token}` }));
    expect(answer.status).toBe(200);
    expect(accessControlHeaders(answer.headers)).toEqual([]);
  });
});

describe('with CORS_ORIGINS set', () => {
  let service: TestService;
  let token: string;
  let video: { ownerId: string; videoId: string };
  beforeAll(async () => {
    service = await startTestService({ corsOrigins: [allowedOrigin] });
    token = await service.mint('browser-user');
    video = await createVideo(service, token, 'seen-from-a-page.mp4');
  });
  afterAll(async () => {
    await service?.stop();
  });

  it.each(transports)('an allowed origin’s preflight over %s is answered 204 with connect’s methods and headers plus authorization', async (_name, send) => {
    const answer = await send(service.url, preflight(allowedOrigin));
    expect(answer.status).toBe(204);
    expect(answer.body.length).toBe(0);
    expect(answer.headers['access-control-allow-origin']).toBe(allowedOrigin);
    expect(listOf(answer.headers['access-control-allow-methods'])).toEqual(['post', 'get']);
    const allowedHeaders = listOf(answer.headers['access-control-allow-headers']);
    for (const name of [...cors.allowedHeaders, 'authorization']) expect(allowedHeaders).toContain(name.toLowerCase());
    expect(answer.headers['access-control-max-age']).toBe('7200');
    expect(listOf(answer.headers.vary)).toContain('origin');
    // No credentials mode: the token travels in a header the page sets, not a cookie.
    expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it.each(transports)('a preflight over %s from an origin not on the list gets what it gets with CORS off: 405, no Access-Control-*', async (_name, send) => {
    const answer = await send(service.url, preflight(otherOrigin));
    expect(answer.status).toBe(405);
    expect(accessControlHeaders(answer.headers)).toEqual([]);
  });

  it('a preflight for a path that is no RPC is not answered as one', async () => {
    const answer = await overHttp1(service.url, preflight(allowedOrigin, '/healthz'));
    expect(answer.status).toBe(405);
    expect(accessControlHeaders(answer.headers)).toEqual([]);
  });

  it.each(transports)('a Connect JSON call over %s (the lean path) carries the origin, Vary and the exposed gRPC headers', async (_name, send) => {
    const answer = await send(service.url, connectJson(getVideoPath, video, { origin: allowedOrigin, authorization: `Bearer ${token}` }));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString())).toMatchObject({ video: { ...video, originalName: 'seen-from-a-page.mp4' } });
    expect(answer.headers['access-control-allow-origin']).toBe(allowedOrigin);
    expect(listOf(answer.headers.vary)).toEqual(['origin']);
    const exposed = listOf(answer.headers['access-control-expose-headers']);
    for (const name of ['grpc-status', 'grpc-message', 'grpc-status-details-bin', 'x-request-id']) expect(exposed).toContain(name);
  });

  it('a refused call carries them too, so the page can read the error', async () => {
    const answer = await overHttp1(service.url, connectJson(getVideoPath, video, { origin: allowedOrigin }));
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body.toString())).toMatchObject({ code: 'unauthenticated' });
    expect(answer.headers['access-control-allow-origin']).toBe(allowedOrigin);
  });

  it('a call from an origin not on the list is answered without Access-Control-Allow-Origin (the browser then withholds it)', async () => {
    const answer = await overHttp1(service.url, connectJson(getVideoPath, video, { origin: otherOrigin, authorization: `Bearer ${token}` }));
    expect(answer.status).toBe(200);
    expect(accessControlHeaders(answer.headers)).toEqual([]);
    expect(listOf(answer.headers.vary)).toEqual(['origin']);
  });

  it.each([
    ['GetVideo', () => video, (body: Record<string, any>) => body.video.videoId],
    ['ListVideos', () => ({}), (body: Record<string, any>) => body.videos[0].videoId],
    ['BatchGetVideos', () => ({ videoIds: [video.videoId] }), (body: Record<string, any>) => body.videos[0].videoId],
  ])('%s is served over Connect GET, with the token in the Authorization header', async (procedure, message, videoIdOf) => {
    const answer = await overHttp1(service.url, connectGet(procedure, message(), { origin: allowedOrigin, authorization: `Bearer ${token}` }));
    expect(answer.status).toBe(200);
    expect(videoIdOf(JSON.parse(answer.body.toString()))).toBe(video.videoId);
    expect(answer.headers['access-control-allow-origin']).toBe(allowedOrigin);
  });

  it('a Connect GET without an Origin still says Vary: Origin, so a cache does not hand it to a page', async () => {
    const answer = await overHttp1(service.url, connectGet('GetVideo', video, { authorization: `Bearer ${token}` }));
    expect(answer.status).toBe(200);
    expect(listOf(answer.headers.vary)).toEqual(['origin']);
    expect(accessControlHeaders(answer.headers)).toEqual([]);
  });

  it('a write is not served over GET (405)', async () => {
    const answer = await overHttp1(service.url, connectGet('CreateVideo', { video: { originalName: 'x.mp4' } }, { authorization: `Bearer ${token}` }));
    expect(answer.status).toBe(405);
  });

  it('a gRPC-Web call (connect-node) carries the origin and exposes grpc-status', async () => {
    const answer = await overHttp1(service.url, {
      method: 'POST',
      path: getVideoPath,
      headers: { origin: allowedOrigin, 'content-type': 'application/grpc-web+proto', 'x-grpc-web': '1', authorization: `Bearer ${token}` },
      body: envelope(toBinary(GetVideoRequestSchema, create(GetVideoRequestSchema, video))),
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/grpc-web+proto');
    expect(answer.body.toString('latin1')).toMatch(/grpc-status: ?0\r\n/);
    expect(answer.headers['access-control-allow-origin']).toBe(allowedOrigin);
    expect(listOf(answer.headers['access-control-expose-headers'])).toContain('grpc-status');
  });

  it('gRPC-Web text is not served: 415, as connect-node answers it', async () => {
    const message = envelope(toBinary(GetVideoRequestSchema, create(GetVideoRequestSchema, video)));
    const answer = await overHttp1(service.url, {
      method: 'POST',
      path: getVideoPath,
      headers: { origin: allowedOrigin, 'content-type': 'application/grpc-web-text', 'x-grpc-web': '1', authorization: `Bearer ${token}` },
      body: message.toString('base64'),
    });
    expect(answer.status).toBe(415);
    expect(answer.headers['access-control-allow-origin']).toBe(allowedOrigin);
  });

  it.each([
    ['from an allowed origin, on connect-node, carries it', { origin: allowedOrigin }, allowedOrigin],
    ['without an Origin, on the lean path, carries none', {}, undefined],
  ])('a plain gRPC call %s', async (_name, extra: Record<string, string>, expected) => {
    const answer = await overHttp2(service.url, {
      method: 'POST',
      path: getVideoPath,
      headers: { 'content-type': 'application/grpc', te: 'trailers', authorization: `Bearer ${token}`, ...extra },
      body: envelope(toBinary(GetVideoRequestSchema, create(GetVideoRequestSchema, video))),
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['grpc-status']).toBe('0');
    expect(answer.headers['access-control-allow-origin']).toBe(expected);
  });
});
