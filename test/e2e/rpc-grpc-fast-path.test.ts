// The lean unary gRPC path (unary-fast-path.ts) answers exactly as connect-node would: the same
// video for a plain request and for a gzip-compressed one (which connect-node serves), the
// spec's grpc-message encoding, the caller's request id, and an oversized message refused from
// its length prefix alone.
import http2 from 'node:http2';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Code, createClient } from '@connectrpc/connect';
import { compressionGzip, createGrpcTransport } from '@connectrpc/connect-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerTokenInterceptor } from '../../src/client.ts';
import { CreateVideoRequestSchema, GetVideoRequestSchema, GetVideoResponseSchema, VideoService } from '../../src/gen/video/v1/video_service_pb.ts';
import { startTestService, type TestService } from '../support/rpc-service.ts';

let service: TestService;
let token: string;
beforeAll(async () => {
  service = await startTestService();
  token = await service.mint('alice');
});
afterAll(async () => {
  await service?.stop();
});

interface RawAnswer {
  headers: http2.IncomingHttpHeaders;
  trailers: http2.IncomingHttpHeaders;
  body: Buffer;
}

/** One gRPC request over HTTP/2 with `body` sent as is (or only its first bytes, then left open). */
function rawGrpc(path: string, body: Uint8Array, headers: Record<string, string> = {}, leaveOpen = false): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(service.url);
    session.on('error', reject);
    const stream = session.request({
      ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', authorization: `Bearer ${token}`, ...headers,
    });
    const answer: RawAnswer = { headers: {}, trailers: {}, body: Buffer.alloc(0) };
    stream.on('response', (fields) => (answer.headers = fields));
    stream.on('trailers', (fields) => (answer.trailers = fields));
    stream.on('data', (chunk: Buffer) => (answer.body = Buffer.concat([answer.body, chunk])));
    stream.on('error', () => undefined);
    stream.on('close', () => {
      session.close();
      resolve(answer);
    });
    if (leaveOpen) stream.write(body);
    else stream.end(body);
  });
}

function envelope(message: Uint8Array, declaredLength = message.length): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(declaredLength, 1);
  return Buffer.concat([prefix, message]);
}

describe('the lean unary gRPC path', () => {
  it('answers a plain request with the same video connect-node gives a gzip-compressed one', async () => {
    const interceptors = [bearerTokenInterceptor(token)];
    const plain = createClient(VideoService, createGrpcTransport({ baseUrl: service.url, interceptors }));
    const gzip = createClient(
      VideoService,
      createGrpcTransport({ baseUrl: service.url, interceptors, sendCompression: compressionGzip, compressMinBytes: 0 }),
    );
    const { video } = await plain.createVideo({ video: { originalName: 'a.mp4', title: 'Ünïcode: title; with, punctuation', labels: { k: 'v' } } });
    const viaPlain = await plain.getVideo({ videoId: video!.videoId });
    const viaGzip = await gzip.getVideo({ videoId: video!.videoId });
    expect(viaPlain.video).toEqual(video);
    expect(viaGzip.video).toEqual(viaPlain.video);
  });

  it('decodes the raw answer as a GetVideoResponse and echoes a plain request id', async () => {
    const client = createClient(VideoService, createGrpcTransport({ baseUrl: service.url, interceptors: [bearerTokenInterceptor(token)] }));
    const { video } = await client.createVideo({ video: { originalName: 'b.mp4' } });
    const request = toBinary(GetVideoRequestSchema, create(GetVideoRequestSchema, { videoId: video!.videoId }));
    const answer = await rawGrpc('/video.v1.VideoService/GetVideo', envelope(request), { 'x-request-id': 'req-42' });
    expect(answer.headers['x-request-id']).toBe('req-42');
    expect(answer.trailers['grpc-status']).toBe('0');
    expect(answer.body.readUInt32BE(1)).toBe(answer.body.length - 5);
    expect(fromBinary(GetVideoResponseSchema, answer.body.subarray(5)).video?.videoId).toBe(video!.videoId);
  });

  it("percent-encodes grpc-message the gRPC spec's way: ':' ';' ',' and '/' stay readable, '%' and non-ASCII are escaped", async () => {
    const request = toBinary(
      CreateVideoRequestSchema,
      create(CreateVideoRequestSchema, { video: { originalName: 'a.mp4', labels: { 'k/é%;,': 'v' } } }),
    );
    const answer = await rawGrpc('/video.v1.VideoService/CreateVideo', envelope(request));
    expect(answer.trailers['grpc-status']).toBe(String(Code.InvalidArgument));
    expect(answer.trailers['grpc-message']).toBe('labels: key "k/%C3%A9%25;," must start with a lowercase letter and hold only a-z 0-9 _ -');
  });

  it('refuses a message declared above 1 MiB with RESOURCE_EXHAUSTED before its bytes arrive', async () => {
    const logged = service.logs.length;
    const answer = await rawGrpc('/video.v1.VideoService/GetVideo', envelope(new Uint8Array(10), 1024 * 1024 + 1), {}, true);
    expect(answer.trailers['grpc-status'] ?? answer.headers['grpc-status']).toBe(String(Code.ResourceExhausted));
    const line = service.logs.slice(logged).find((entry) => entry.procedure === '/video.v1.VideoService/GetVideo');
    expect(line).toMatchObject({ code: 'resource_exhausted', level: 40 });
  });
});
