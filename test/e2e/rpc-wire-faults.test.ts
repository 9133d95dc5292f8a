// Findings of the wire fuzzer (test/attack/wire-fuzz.test.ts), each pinned by the smallest
// request that showed it, over a real socket.
import http2 from 'node:http2';
import net from 'node:net';
import { Code, ConnectError } from '@connectrpc/connect';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createVideoServiceClient } from '../../src/client.ts';
import { faultyStore, type FaultyStore } from '../support/faulty-store.ts';
import { startTestService, type TestService } from '../support/rpc-service.ts';

let service: TestService;
let faulty: FaultyStore;
beforeAll(async () => {
  service = await startTestService({ wrapStore: (store) => (faulty = faultyStore(store)).store });
});
afterEach(() => {
  faulty.mode = 'normal';
  faulty.release();
});
afterAll(async () => {
  await service?.stop();
});

function failureOf(call: Promise<unknown>): Promise<ConnectError> {
  return call.then(
    () => {
      throw new Error('the call succeeded');
    },
    (error: unknown) => ConnectError.from(error),
  );
}

function envelope(payload: Uint8Array): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(payload.length, 1);
  return Buffer.concat([prefix, payload]);
}

/** One gRPC call over HTTP/2 with a 3 s limit: the grpc-status and grpc-message, or 'no answer'. */
function grpcStatusOf(path: string, contentType: string, body: Buffer): Promise<{ status?: string; message?: string } | 'no answer'> {
  return new Promise((resolve) => {
    const session = http2.connect(service.url);
    session.on('error', () => undefined);
    const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': contentType, te: 'trailers' });
    let answer: { status?: string; message?: string } | 'no answer' = 'no answer';
    const timer = setTimeout(() => stream.close(http2.constants.NGHTTP2_CANCEL), 3_000);
    stream.on('trailers', (fields) => (answer = { status: fields['grpc-status'] as string, message: fields['grpc-message'] as string }));
    stream.on('data', () => undefined);
    stream.on('error', () => undefined);
    stream.on('close', () => {
      clearTimeout(timer);
      session.close();
      resolve(answer);
    });
    stream.end(body);
  });
}

/** One gRPC-Web call over raw HTTP/1.1 with a 3 s limit: the status in its trailer frame, or 'no answer'. */
function grpcWebStatusOf(path: string, contentType: string, body: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(service.port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => socket.destroy(), 3_000);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(/grpc-status: ?(\d+)/.exec(received)?.[1] ?? 'no answer');
    });
    socket.write(Buffer.concat([Buffer.from(`POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\ncontent-type: ${contentType}\r\ncontent-length: ${body.length}\r\n\r\n`), body]));
  });
}

describe('wire fuzzing findings', () => {
  // V8's JSON.parse names an unexpected astral character by its first UTF-16 unit alone, and
  // connect's grpc-message encoding threw on that half character: the call was never answered.
  const emojiJson = envelope(Buffer.from('🎬'));

  it.each(['/video.v1.VideoService/ListVideos', '/grpc.health.v1.Health/Watch'])(
    'a gRPC JSON body whose parse error quotes half a character is answered INVALID_ARGUMENT (%s)',
    async (path) => {
      expect(await grpcStatusOf(path, 'application/grpc+json', emojiJson)).toMatchObject({ status: String(Code.InvalidArgument) });
    },
  );

  it('the same body over gRPC-Web is answered INVALID_ARGUMENT too', async () => {
    expect(await grpcWebStatusOf('/video.v1.VideoService/ListVideos', 'application/grpc-web+json', emojiJson)).toBe(String(Code.InvalidArgument));
  });

  // 79 letters and a clapper board emoji (two UTF-16 units): the message quotes the key cut at
  // 80 units, between the two halves, and gRPC's percent-encoding of grpc-message threw on it.
  const longKey = `${'k'.repeat(79)}🎬tail`;

  it.each(['grpc', 'grpc-web', 'connect'] as const)(
    'an error message quoting client text cut inside a character still reaches a %s client as INVALID_ARGUMENT',
    async (protocol) => {
      const client = createVideoServiceClient({ baseUrl: service.url, token: await service.mint('alice'), protocol });
      const failure = await failureOf(client.createVideo({ video: { originalName: 'a.mp4', labels: { [longKey]: 'x' } } }));
      expect(failure.code).toBe(Code.InvalidArgument);
      expect(failure.rawMessage).toBe(`labels: key "${'k'.repeat(79)}\uFFFD" must be 1 to 63 characters`);
    },
  );

  it('a grpc-timeout beyond the 24.8-day timer range is a long deadline, not an immediate DEADLINE_EXCEEDED', async () => {
    faulty.mode = 'hang';
    const client = createVideoServiceClient({ baseUrl: service.url, token: await service.mint('alice'), protocol: 'grpc' });
    const call = client.listVideos({}, { headers: { 'grpc-timeout': '99999999H' } });
    // Still waiting on the store after 300 ms: the deadline did not fire.
    const early = await Promise.race([call.then(() => 'answered', (error: unknown) => ConnectError.from(error).code), new Promise((resolve) => setTimeout(() => resolve('waiting'), 300))]);
    expect(early).toBe('waiting');
    faulty.mode = 'normal';
    faulty.release();
    expect((await call).videos).toEqual([]);
  });

  it('a connect-timeout-ms beyond the timer range is a long deadline too', async () => {
    faulty.mode = 'hang';
    const client = createVideoServiceClient({ baseUrl: service.url, token: await service.mint('alice'), protocol: 'connect' });
    const call = client.listVideos({}, { headers: { 'connect-timeout-ms': '9999999999' } });
    const early = await Promise.race([call.then(() => 'answered', (error: unknown) => ConnectError.from(error).code), new Promise((resolve) => setTimeout(() => resolve('waiting'), 300))]);
    expect(early).toBe('waiting');
    faulty.mode = 'normal';
    faulty.release();
    expect((await call).videos).toEqual([]);
  });
});
