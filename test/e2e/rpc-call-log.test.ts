// The call log's code and level for calls the interceptors never settle: what the client
// actually got; client mistakes below error level, a client that goes away as canceled.
// A failed call's line says why (its message, and the cause of a server fault or a store
// outage); requests that are no calls (OPTIONS, unknown paths) are never failed calls.
import http2 from 'node:http2';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { fromBinary } from '@bufbuild/protobuf';
import { Code, ConnectError, createClient, type Transport } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from '@connectrpc/connect-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { internalMessage } from '../../src/adapters/rpc/errors.ts';
import { readMaxBytes } from '../../src/adapters/rpc/server.ts';
import { mintToken } from '../../src/adapters/token/mint.ts';
import { ErrorInfoSchema } from '../../src/gen/google/rpc/error_details_pb.ts';
import { Health } from '../../src/gen/grpc/health/v1/health_pb.ts';
import { VideoService } from '../../src/gen/video/v1/video_service_pb.ts';
import { corruptStoreMessage, faultyStore, type FaultyStore } from '../support/faulty-store.ts';
import { startTestService, type TestService } from '../support/rpc-service.ts';

let service: TestService;
let faulty: FaultyStore;
beforeAll(async () => {
  service = await startTestService({ wrapStore: (store) => (faulty = faultyStore(store)).store, healthWatchIntervalMs: 50 });
});
afterEach(() => {
  faulty.mode = 'normal';
  faulty.release();
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

const pino = { info: 30, warn: 40, error: 50 } as const;

/** Sends raw HTTP/1.1 bytes on a new connection; resolves with the status and the body text. */
function rawHttp1(head: string, body: Uint8Array = new Uint8Array(0)): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(service.port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(received)?.[1]), text: received }));
    const lines = [head, 'host: 127.0.0.1', 'connection: close', `content-length: ${body.length}`];
    socket.write(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), body]));
  });
}

/** Sends one gRPC request over HTTP/2; resolves with the :status and the grpc-status it got. */
function rawGrpc(headers: Record<string, string>, body: Uint8Array): Promise<{ status: number; grpcStatus?: string }> {
  return new Promise((resolve) => {
    const session = http2.connect(service.url);
    session.on('error', () => undefined);
    const stream = session.request({ ':method': 'POST', 'content-type': 'application/grpc', te: 'trailers', ...headers });
    let status = 0;
    let grpcStatus: string | undefined;
    stream.on('response', (fields) => {
      status = Number(fields[':status']);
      grpcStatus ??= fields['grpc-status'] as string | undefined;
    });
    stream.on('trailers', (fields) => (grpcStatus = fields['grpc-status'] as string | undefined));
    stream.on('data', () => undefined);
    stream.on('error', () => undefined);
    stream.on('close', () => {
      session.close();
      resolve({ status, grpcStatus });
    });
    stream.end(body);
  });
}

function envelope(flags: number, payload: Uint8Array, declaredLength = payload.length): Uint8Array {
  const prefix = Buffer.alloc(5);
  prefix[0] = flags;
  prefix.writeUInt32BE(declaredLength, 1);
  return new Uint8Array(Buffer.concat([prefix, payload]));
}

// Bytes that are no protobuf message: field 1 with wire type 7, which does not exist.
const notProtobuf = Uint8Array.of(0x0f, 0xff, 0xff);
const getVideo = '/video.v1.VideoService/GetVideo';

describe('client mistakes are logged below error level, with the code the client got', () => {
  const cases: Array<[string, () => Promise<unknown>, unknown, Record<string, unknown>]> = [
    // Not GET: GetVideo accepts Connect GET (NO_SIDE_EFFECTS).
    ['a DELETE on an RPC path over HTTP/1.1', () => rawHttp1(`DELETE ${getVideo} HTTP/1.1`).then((answer) => answer.status), 405, { code: 'unimplemented', httpStatus: 405 }],
    ['a Connect GET without its message over HTTP/1.1', () => rawHttp1(`GET ${getVideo} HTTP/1.1`).then((answer) => answer.status), 415, { code: 'unimplemented', httpStatus: 415 }],
    ['a PUT on an RPC path over HTTP/2', () => rawGrpc({ ':method': 'PUT', ':path': getVideo }, new Uint8Array(0)).then((answer) => answer.status), 405, { code: 'unimplemented', httpStatus: 405 }],
    ['an unsupported content type', () => rawHttp1(`POST ${getVideo} HTTP/1.1\r\ncontent-type: text/plain`).then((answer) => answer.status), 415, { code: 'unimplemented', httpStatus: 415 }],
    [
      'a gRPC message that is not protobuf (INVALID_ARGUMENT, not INTERNAL)',
      () => rawGrpc({ ':path': getVideo }, envelope(0, notProtobuf)).then((answer) => answer.grpcStatus),
      String(Code.InvalidArgument),
      { code: 'invalid_argument', message: expect.stringContaining('illegal tag') },
    ],
    [
      'a compressed gRPC envelope without grpc-encoding (INVALID_ARGUMENT, not INTERNAL)',
      () => rawGrpc({ ':path': getVideo }, envelope(1, gzipSync(Buffer.from('x')))).then((answer) => answer.grpcStatus),
      String(Code.InvalidArgument),
      { code: 'invalid_argument' },
    ],
    [
      'a gRPC-Web message that is not protobuf',
      () => rawHttp1(`POST ${getVideo} HTTP/1.1\r\ncontent-type: application/grpc-web+proto`, envelope(0, notProtobuf)).then((answer) => /grpc-status: ?(\d+)/.exec(answer.text)?.[1]),
      String(Code.InvalidArgument),
      // Refused by connect-node before any interceptor: the message comes from the answer's trailer.
      { code: 'invalid_argument', message: expect.stringContaining('illegal tag') },
    ],
    [
      'a Connect binary body that is not protobuf (HTTP 400, not 500)',
      () =>
        rawHttp1(`POST ${getVideo} HTTP/1.1\r\ncontent-type: application/proto`, notProtobuf).then((answer) => {
          const { details, ...error } = JSON.parse(answer.text.slice(answer.text.indexOf('{'))) as { details?: { value: string }[] };
          return [answer.status, error, details?.map(({ value }) => fromBinary(ErrorInfoSchema, Buffer.from(value, 'base64')).reason)];
        }),
      [400, { code: 'invalid_argument', message: 'parse binary: illegal tag: field no 1 wire type 7' }, ['MALFORMED_REQUEST']],
      { code: 'invalid_argument', httpStatus: 400 },
    ],
    [
      'a Connect JSON body that is not JSON',
      () => rawHttp1(`POST ${getVideo} HTTP/1.1\r\ncontent-type: application/json`, Buffer.from('{oops')).then((answer) => answer.status),
      400,
      { code: 'invalid_argument', httpStatus: 400 },
    ],
    [
      'a gRPC message over the 1 MiB limit',
      () => rawGrpc({ ':path': getVideo }, envelope(0, new Uint8Array(0), readMaxBytes + 1)).then((answer) => answer.grpcStatus),
      String(Code.ResourceExhausted),
      { code: 'resource_exhausted', message: expect.any(String) },
    ],
  ];

  it.each(cases)('%s: warn, never error', async (_name, send, answered, logged) => {
    const skip = service.logs.length;
    expect(await send()).toEqual(answered);
    const lines = await logLinesAfter(skip, 1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ procedure: getVideo, level: pino.warn, msg: 'rpc call', ...logged });
  });

  it('a fault of the server itself still logs at error, as internal', async () => {
    faulty.mode = 'corrupt';
    const skip = service.logs.length;
    const answer = await rawHttp1(`POST ${getVideo} HTTP/1.1\r\ncontent-type: application/json\r\nauthorization: Bearer ${await service.mint('alice')}`, Buffer.from('{"videoId":"01a21073-e94b-7791-9ee6-4b3bf8727f1d"}'));
    expect(answer.status).toBe(500);
    const lines = await logLinesAfter(skip, 1);
    expect(lines[0]).toMatchObject({ procedure: getVideo, code: 'internal', level: pino.error, msg: 'rpc call failed' });
  });
});

describe('a client that goes away is logged as canceled at info, never unknown', () => {
  const transports: Array<[string, () => Transport]> = [
    ['gRPC', () => createGrpcTransport({ baseUrl: service.url })],
    ['gRPC-Web over HTTP/1.1', () => createGrpcWebTransport({ baseUrl: service.url, httpVersion: '1.1' })],
    ['Connect over HTTP/1.1', () => createConnectTransport({ baseUrl: service.url, httpVersion: '1.1' })],
  ];

  it.each(transports)('a health Watch the client cancels (%s)', async (_name, transport) => {
    const skip = service.logs.length;
    const abort = new AbortController();
    const statuses: number[] = [];
    const watching = (async () => {
      for await (const answer of createClient(Health, transport()).watch({ service: '' }, { signal: abort.signal })) statuses.push(answer.status);
    })();
    while (statuses.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    abort.abort();
    const ended = await watching.then(() => undefined, (error: unknown) => ConnectError.from(error));
    expect(ended?.code).toBe(Code.Canceled);
    const lines = await logLinesAfter(skip, 1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ procedure: '/grpc.health.v1.Health/Watch', code: 'canceled', level: pino.info });
  });

  it('a unary Connect call whose client closes the connection while the store works', async () => {
    faulty.mode = 'hang';
    const skip = service.logs.length;
    const socket = net.connect(service.port, '127.0.0.1');
    socket.on('error', () => undefined);
    const body = '{"videoId":"01a21073-e94b-7791-9ee6-4b3bf8727f1d"}';
    socket.write(`POST ${getVideo} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nauthorization: Bearer ${await service.mint('alice')}\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    const lines = await logLinesAfter(skip, 1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ procedure: getVideo, code: 'canceled', level: pino.info, caller: 'alice' });
  });
});

describe('a failed call\'s line says why: its code and the message its client got, never the token', () => {
  const paths: Array<[string, () => Transport]> = [
    ['gRPC (the lean path)', () => createGrpcTransport({ baseUrl: service.url })],
    ['gRPC-Web over HTTP/1.1 (connect-node)', () => createGrpcWebTransport({ baseUrl: service.url, httpVersion: '1.1' })],
  ];
  const absent = '01a21073-e94b-7791-9ee6-4b3bf8727f1d';

  /** GetVideo of `videoId` with `token`; resolves with the code the client got and the call's one line. */
  async function failedGetVideo(transport: Transport, token: string): Promise<[Code | undefined, Record<string, unknown>]> {
    const skip = service.logs.length;
    const failure = await createClient(VideoService, transport)
      .getVideo({ videoId: absent }, { headers: { authorization: `Bearer ${token}` } })
      .then(() => undefined, (error: unknown) => ConnectError.from(error));
    const lines = await logLinesAfter(skip, 1);
    expect(lines).toHaveLength(1);
    return [failure?.code, lines[0]!];
  }

  it.each(paths)('%s: NOT_FOUND at info, with its message', async (_name, transport) => {
    const [code, line] = await failedGetVideo(transport(), await service.mint('alice'));
    expect(code).toBe(Code.NotFound);
    expect(line).toMatchObject({ procedure: getVideo, code: 'not_found', level: pino.info, caller: 'alice', message: `video ${absent} of owner alice not found` });
    expect(line).not.toHaveProperty('err');
  });

  it.each(paths)('%s: UNAUTHENTICATED with its short reason, and the token nowhere in the log', async (_name, transport) => {
    const forged = await mintToken({ secret: new TextEncoder().encode('another-secret-0123456789abcdefghijkl'), subject: 'alice', ttlSeconds: 60 });
    const skipRaw = service.rawLog.length;
    const [code, line] = await failedGetVideo(transport(), forged);
    expect(code).toBe(Code.Unauthenticated);
    expect(line).toMatchObject({ code: 'unauthenticated', level: pino.info, message: 'invalid signature' });
    expect(service.rawLog.slice(skipRaw).join('')).not.toContain(forged.split('.')[2]);
  });

  it.each(paths)('%s: INTERNAL at error, with the generic message its client got and the cause the client never sees', async (_name, transport) => {
    faulty.mode = 'corrupt';
    const [code, line] = await failedGetVideo(transport(), await service.mint('alice'));
    expect(code).toBe(Code.Internal);
    expect(line).toMatchObject({ code: 'internal', level: pino.error, message: internalMessage, err: { type: 'Error', message: corruptStoreMessage } });
  });

  it.each(paths)('%s: UNAVAILABLE from the store at warn, with the store\'s error as its cause', async (_name, transport) => {
    faulty.mode = 'unavailable';
    const [code, line] = await failedGetVideo(transport(), await service.mint('alice'));
    expect(code).toBe(Code.Unavailable);
    expect(line).toMatchObject({
      code: 'unavailable',
      level: pino.warn,
      message: 'the video store is unavailable; retry later',
      err: { type: 'StoreUnavailable', message: 'the video store is unavailable; retry later' },
    });
  });
});

describe('requests that are no calls (a CORS preflight, an unknown path) are never logged as failed calls', () => {
  const requests: Array<[string, string]> = [
    ['OPTIONS', getVideo],
    ['OPTIONS', '/'],
    ['GET', '/nope'],
    ['POST', '/video.v1.VideoService/NoSuchMethod'],
    ['POST', '/no.such.Service/Call'],
  ];

  /** Sends `method path` over HTTP/2 as a browser's preflight would look; resolves with the :status. */
  function overHttp2(method: string, path: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const session = http2.connect(service.url);
      session.on('error', reject);
      const stream = session.request({ ':method': method, ':path': path, origin: 'http://127.0.0.1:1', 'access-control-request-method': 'POST' });
      let status = 0;
      stream.on('response', (fields) => (status = Number(fields[':status'])));
      stream.resume();
      stream.on('close', () => {
        session.close();
        resolve(status);
      });
      stream.end();
    });
  }

  it.each(['HTTP/1.1', 'HTTP/2'])('over %s: no line at error level, none as unknown, none at all for OPTIONS', async (version) => {
    const skip = service.logs.length;
    const statuses: number[] = [];
    for (const [method, path] of requests) {
      statuses.push(version === 'HTTP/2' ? await overHttp2(method, path) : (await rawHttp1(`${method} ${path} HTTP/1.1`)).status);
    }
    // Every one was refused, none with a server fault.
    expect(statuses.every((status) => status >= 400 && status < 500)).toBe(true);
    // A call after them: its line follows any line they caused.
    await createClient(Health, createGrpcTransport({ baseUrl: service.url })).check({ service: '' });
    const lines = await logLinesAfter(skip, 1);
    expect(lines.at(-1)).toMatchObject({ procedure: '/grpc.health.v1.Health/Check', code: 'ok' });
    expect(lines.filter((line) => Number(line.level) >= pino.error || line.code === 'unknown')).toEqual([]);
    expect(lines.filter((line) => line.procedure === getVideo)).toEqual([]);
  });
});
