// Errors a program can act on (SPEC §6, AIP-193), read as real clients read them over a real
// socket: every refusal carries a google.rpc.ErrorInfo (domain videosvc, a stable reason,
// metadata), INVALID_ARGUMENT a google.rpc.BadRequest, and the rate limit its RetryInfo still.
// Each case runs through the lean path (grpc-js; Connect JSON with a content-length, as fetch
// sends it) and through connect-node (grpc-js with gzip requests, connect-es's Connect JSON and
// binary, gRPC-Web), since both must send the same details.
import { create, fromBinary, toBinary, toJsonString, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { anyUnpack } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, createClient, type Client } from '@connectrpc/connect';
import { codeFromHttpStatus, errorFromJsonBytes } from '@connectrpc/connect/protocol-connect';
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from '@connectrpc/connect-node';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { v7 as uuidV7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultLimits } from '../../src/app/limits.ts';
import { bearerTokenInterceptor } from '../../src/client.ts';
import { BadRequestSchema, ErrorInfoSchema, RetryInfoSchema } from '../../src/gen/google/rpc/error_details_pb.ts';
import { StatusSchema } from '../../src/gen/google/rpc/status_pb.ts';
import { Health } from '../../src/gen/grpc/health/v1/health_pb.ts';
import { VideoStatus } from '../../src/gen/video/v1/video_pb.ts';
import { CreateVideoRequestSchema, VideoService } from '../../src/gen/video/v1/video_service_pb.ts';
import { startTestService, type TestService } from '../support/rpc-service.ts';

/** What a client read from one failed call: code, message and the three detail kinds. */
interface ReadError {
  code: number;
  message: string;
  errorInfo?: { reason: string; domain: string; metadata: Record<string, string> };
  fieldViolations?: { field: string; description: string }[];
  retryDelayMs?: number;
}

type Request = Record<string, unknown>;
/** A way to call a VideoService method by name with a plain request, reading the error it fails with. */
type Caller = (method: string, request: Request, token: string | undefined) => Promise<ReadError>;

function plainDetails(unpack: <D extends DescMessage>(schema: D) => MessageShape<D> | undefined): Omit<ReadError, 'code' | 'message'> {
  const info = unpack(ErrorInfoSchema);
  const badRequest = unpack(BadRequestSchema);
  const retry = unpack(RetryInfoSchema)?.retryDelay;
  return {
    errorInfo: info && { reason: info.reason, domain: info.domain, metadata: { ...info.metadata } },
    fieldViolations: badRequest?.fieldViolations.map(({ field, description }) => ({ field, description })),
    retryDelayMs: retry && Number(retry.seconds) * 1000 + retry.nanos / 1e6,
  };
}

// proto-loader resolves google/protobuf/*.proto from the copies protobufjs bundles.
const grpcJsService = (
  grpc.loadPackageDefinition(protoLoader.loadSync('video/v1/video_service.proto', { includeDirs: ['proto'], longs: String, enums: String, defaults: true })) as unknown as {
    video: { v1: { VideoService: new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => grpc.Client } };
  }
).video.v1.VideoService;

/**
 * @grpc/grpc-js loading the .proto; the details decoded from grpc-status-details-bin as a
 * google.rpc.Status with protobuf-es. With gzip requests grpc-js's calls go to connect-node
 * (the lean path takes identity only), so both gRPC writers of trailers are covered.
 */
function grpcJsCaller(url: string, gzip: boolean): { call: Caller; close(): void } {
  const options: grpc.ChannelOptions = gzip ? { 'grpc.default_compression_algorithm': 2 } : {};
  const client = new grpcJsService(new URL(url).host, grpc.credentials.createInsecure(), options) as grpc.Client &
    Record<string, (request: unknown, metadata: grpc.Metadata, callback: (error: grpc.ServiceError | null) => void) => void>;
  const call: Caller = (method, request, token) =>
    new Promise((resolve, reject) => {
      const metadata = new grpc.Metadata();
      if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
      client[method]!(request, metadata, (error) => {
        if (error === null) return reject(new Error(`${method} succeeded`));
        const [bin] = error.metadata.get('grpc-status-details-bin');
        if (!(bin instanceof Buffer)) return resolve({ code: error.code, message: error.details });
        const status = fromBinary(StatusSchema, bin);
        // The Status repeats the code and message of the trailers it travels beside.
        expect({ code: status.code, message: status.message }).toEqual({ code: error.code, message: error.details });
        resolve({ code: error.code, message: error.details, ...plainDetails((schema) => status.details.map((any) => anyUnpack(any, schema)).find((m) => m !== undefined)) });
      });
    });
  return { call, close: () => client.close() };
}

/** A connect-es client: ConnectError.findDetails reads the details. */
function connectCaller(url: string, protocol: 'connect-json' | 'connect-binary' | 'grpc-web'): Caller {
  const clients = new Map<string | undefined, Client<typeof VideoService>>();
  const clientFor = (token: string | undefined) => {
    let client = clients.get(token);
    if (client === undefined) {
      const interceptors = token === undefined ? [] : [bearerTokenInterceptor(token)];
      const transport =
        protocol === 'grpc-web'
          ? createGrpcWebTransport({ baseUrl: url, httpVersion: '1.1', interceptors })
          : createConnectTransport({ baseUrl: url, httpVersion: '1.1', useBinaryFormat: protocol === 'connect-binary', interceptors });
      clients.set(token, (client = createClient(VideoService, transport)));
    }
    return client;
  };
  return async (method, request, token) => {
    const localName = method[0]!.toLowerCase() + method.slice(1);
    const rpc = (clientFor(token) as unknown as Record<string, (request: Request) => Promise<unknown>>)[localName]!;
    const error = await rpc(request).then(
      () => {
        throw new Error(`${method} succeeded`);
      },
      (caught: unknown) => caught,
    );
    if (!(error instanceof ConnectError)) throw error;
    return { code: error.code, message: error.rawMessage, ...plainDetails((schema) => error.findDetails(schema)[0]) };
  };
}

/**
 * Connect JSON by fetch, which sends a content-length, so the lean path serves it (connect-es's
 * Node transport does not, and goes to connect-node); the error body read by connect's own
 * errorFromJsonBytes, then ConnectError.findDetails as a Connect client does.
 */
function fetchCaller(url: string): Caller {
  return async (method, request, token) => {
    const schema = VideoService.method[(method[0]!.toLowerCase() + method.slice(1)) as keyof typeof VideoService.method].input;
    const response = await fetch(`${url}/${VideoService.typeName}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
      body: toJsonString(schema, create(schema, request as never)),
    });
    const body = new Uint8Array(await response.arrayBuffer());
    if (response.ok) throw new Error(`${method} succeeded`);
    const error = errorFromJsonBytes(body, undefined, new ConnectError('not a Connect error', codeFromHttpStatus(response.status)));
    return { code: error.code, message: error.rawMessage, ...plainDetails((detail) => error.findDetails(detail)[0]) };
  };
}

const kinds = [
  ['@grpc/grpc-js (lean gRPC path)', 'grpc-js'],
  ['@grpc/grpc-js with gzip requests (connect-node)', 'grpc-js-gzip'],
  ['fetch with Connect JSON (lean Connect path)', 'fetch-json'],
  ['connect-es Connect JSON (connect-node)', 'connect-json'],
  ['Connect binary (connect-node)', 'connect-binary'],
  ['gRPC-Web (connect-node)', 'grpc-web'],
] as const;

let service: TestService;
let limited: TestService;
const closers: (() => void)[] = [];

beforeAll(async () => {
  service = await startTestService();
  // One call per caller, then a refusal that says to wait about 20 s.
  limited = await startTestService({ limits: { ...defaultLimits, rateLimitPerSecond: 0.05, rateLimitBurst: 1 } });
});
afterAll(async () => {
  for (const close of closers) close();
  await service?.stop();
  await limited?.stop();
});

function callerOf(kind: (typeof kinds)[number][1], url: string): Caller {
  if (kind === 'grpc-js' || kind === 'grpc-js-gzip') {
    const { call, close } = grpcJsCaller(url, kind === 'grpc-js-gzip');
    closers.push(close);
    return call;
  }
  if (kind === 'fetch-json') return fetchCaller(url);
  return connectCaller(url, kind);
}

describe.each(kinds)('error details read by %s', (_name, kind) => {
  let call: Caller;
  let token: string;
  const owner = `errors-${kind}`;

  beforeAll(async () => {
    call = callerOf(kind, service.url);
    token = await service.mint(owner);
  });

  /** A video of the caller's, made with a Connect client; `retitled` changes it once after, so `etag` is stale. */
  async function someVideo(retitled = false): Promise<{ videoId: string; etag: string }> {
    const client = createClient(VideoService, createConnectTransport({ baseUrl: service.url, httpVersion: '1.1', interceptors: [bearerTokenInterceptor(token)] }));
    const { video } = await client.createVideo({ video: { originalName: 'a.mp4' } });
    if (retitled) await client.updateVideo({ video: { videoId: video!.videoId, title: 'new' }, updateMask: { paths: ['title'] } });
    return { videoId: video!.videoId, etag: video!.etag };
  }

  it('NOT_FOUND carries VIDEO_NOT_FOUND with the owner and video id', async () => {
    const videoId = uuidV7();
    expect(await call('GetVideo', { videoId }, token)).toEqual({
      code: Code.NotFound,
      message: `video ${videoId} of owner ${owner} not found`,
      errorInfo: { reason: 'VIDEO_NOT_FOUND', domain: 'videosvc', metadata: { owner_id: owner, video_id: videoId } },
    });
  });

  it('a stale etag is ABORTED with STALE_ETAG', async () => {
    const { videoId, etag } = await someVideo(true);
    expect(await call('DeleteVideo', { videoId, etag }, token)).toEqual({
      code: Code.Aborted,
      message: 'etag: does not match the current version; read the video again and retry',
      errorInfo: { reason: 'STALE_ETAG', domain: 'videosvc', metadata: {} },
    });
  });

  it('an illegal status change is FAILED_PRECONDITION with ILLEGAL_TRANSITION and both states', async () => {
    const { videoId } = await someVideo();
    const refused = await call('UpdateVideo', { video: { videoId, status: VideoStatus.COMPLETED }, updateMask: { paths: ['status'] } }, token);
    expect(refused).toEqual({
      code: Code.FailedPrecondition,
      message: 'status: cannot change from UPLOADED to COMPLETED',
      errorInfo: { reason: 'ILLEGAL_TRANSITION', domain: 'videosvc', metadata: { current_status: 'UPLOADED', requested_status: 'COMPLETED' } },
    });
  });

  it('INVALID_ARGUMENT carries INVALID_FIELD and a BadRequest field violation', async () => {
    expect(await call('CreateVideo', { video: { originalName: 'a.mp4', title: 'x'.repeat(301) } }, token)).toEqual({
      code: Code.InvalidArgument,
      message: 'title: at most 300 characters',
      errorInfo: { reason: 'INVALID_FIELD', domain: 'videosvc', metadata: { field: 'title' } },
      fieldViolations: [{ field: 'title', description: 'at most 300 characters' }],
    });
    const duplicate = uuidV7();
    const batch = await call('BatchGetVideos', { videoIds: [duplicate, duplicate] }, token);
    expect(batch.fieldViolations).toEqual([{ field: 'video_ids[1]', description: `duplicate id ${duplicate}` }]);
  });

  it('PERMISSION_DENIED carries CALLER_NOT_OWNER, or SCOPE_REQUIRED for a worker RPC', async () => {
    expect(await call('GetVideo', { ownerId: 'someone-else', videoId: uuidV7() }, token)).toEqual({
      code: Code.PermissionDenied,
      message: `caller ${owner} may not act on videos of owner someone-else`,
      errorInfo: { reason: 'CALLER_NOT_OWNER', domain: 'videosvc', metadata: { caller: owner, owner_id: 'someone-else' } },
    });
    const claim = await call('ClaimVideo', { workerId: 'w1' }, token);
    expect(claim.code).toBe(Code.PermissionDenied);
    expect(claim.errorInfo).toEqual({ reason: 'SCOPE_REQUIRED', domain: 'videosvc', metadata: { scope: 'videos:admin' } });
  });

  it('RenewClaim without a live claim is FAILED_PRECONDITION with NO_LIVE_CLAIM naming the worker', async () => {
    const { videoId } = await someVideo();
    const worker = await service.mint('worker-host', { admin: true });
    expect(await call('RenewClaim', { ownerId: owner, videoId, workerId: 'w-1' }, worker)).toEqual({
      code: Code.FailedPrecondition,
      message: 'no live claim of worker w-1 on this video',
      errorInfo: { reason: 'NO_LIVE_CLAIM', domain: 'videosvc', metadata: { worker_id: 'w-1' } },
    });
  });

  it('UNAUTHENTICATED says TOKEN_MISSING, TOKEN_EXPIRED or TOKEN_INVALID', async () => {
    const reasonOf = async (bearer: string | undefined) => {
      const refused = await call('GetVideo', { videoId: uuidV7() }, bearer);
      expect(refused.code).toBe(Code.Unauthenticated);
      expect(refused.errorInfo?.domain).toBe('videosvc');
      return refused.errorInfo?.reason;
    };
    expect(await reasonOf(undefined)).toBe('TOKEN_MISSING');
    expect(await reasonOf(await service.mint(owner, { ttlSeconds: -120 }))).toBe('TOKEN_EXPIRED');
    expect(await reasonOf(`${token.slice(0, -2)}xx`)).toBe('TOKEN_INVALID');
  });

  it('the rate limit is RESOURCE_EXHAUSTED with RATE_LIMITED and its RetryInfo', async () => {
    const limitedCall = callerOf(kind, limited.url);
    const caller = await limited.mint(`limited-${kind}`);
    const first = await limitedCall('GetVideo', { videoId: uuidV7() }, caller);
    expect(first.code).toBe(Code.NotFound);
    const refused = await limitedCall('GetVideo', { videoId: uuidV7() }, caller);
    expect(refused.code).toBe(Code.ResourceExhausted);
    expect(refused.errorInfo?.reason).toBe('RATE_LIMITED');
    expect(refused.errorInfo?.domain).toBe('videosvc');
    expect(refused.retryDelayMs).toBeGreaterThan(15_000);
    expect(refused.retryDelayMs).toBeLessThanOrEqual(20_000);
    expect(refused.errorInfo?.metadata).toEqual({ retry_delay_ms: String(refused.retryDelayMs) });
  });
});

/** A raw gRPC call by @grpc/grpc-js: `body` sent as the request message's bytes, whatever they hold. */
function rawGrpcJs(url: string, gzip: boolean, method: string, body: Buffer, token: string | undefined): Promise<ReadError> {
  const options: grpc.ChannelOptions = gzip ? { 'grpc.default_compression_algorithm': 2 } : {};
  const client = new grpc.Client(new URL(url).host, grpc.credentials.createInsecure(), options);
  const metadata = new grpc.Metadata();
  if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
  return new Promise<ReadError>((resolve, reject) => {
    const identity = (bytes: Buffer) => bytes;
    client.makeUnaryRequest(`/${VideoService.typeName}/${method}`, identity, identity, body, metadata, (error) => {
      if (error === null) return reject(new Error(`${method} succeeded`));
      const [bin] = error.metadata.get('grpc-status-details-bin');
      if (!(bin instanceof Buffer)) return resolve({ code: error.code, message: error.details });
      const status = fromBinary(StatusSchema, bin);
      resolve({ code: error.code, message: error.details, ...plainDetails((schema) => status.details.map((any) => anyUnpack(any, schema)).find((m) => m !== undefined)) });
    });
  }).finally(() => client.close());
}

describe('errors the transport raises itself carry a reason too', () => {
  let token: string;
  beforeAll(async () => {
    token = await service.mint('transport-errors');
  });

  // Field 1 (video) says 10 bytes follow; none do.
  const undecodable = Buffer.from([0x0a, 0x0a]);
  const tooLarge = Buffer.from(toBinary(CreateVideoRequestSchema, create(CreateVideoRequestSchema, { video: { originalName: 'a.mp4', title: 'x'.repeat(1024 * 1024 + 1) } })));

  it.each([
    ['the lean path', false],
    ['connect-node (gzip requests)', true],
  ])('a request that does not decode is INVALID_ARGUMENT with MALFORMED_REQUEST, over %s', async (_path, gzip) => {
    const refused = await rawGrpcJs(service.url, gzip, 'CreateVideo', undecodable, token);
    expect(refused.code).toBe(Code.InvalidArgument);
    expect(refused.errorInfo).toEqual({ reason: 'MALFORMED_REQUEST', domain: 'videosvc', metadata: {} });
  });

  it.each([
    ['the lean path', false],
    ['connect-node (gzip requests)', true],
  ])('a request over 1 MiB is RESOURCE_EXHAUSTED with REQUEST_TOO_LARGE, over %s', async (_path, gzip) => {
    const refused = await rawGrpcJs(service.url, gzip, 'CreateVideo', tooLarge, token);
    expect(refused.code).toBe(Code.ResourceExhausted);
    expect(refused.errorInfo?.reason).toBe('REQUEST_TOO_LARGE');
  });

  it('a Connect binary body that does not decode is INVALID_ARGUMENT with MALFORMED_REQUEST (connect-node)', async () => {
    const response = await fetch(`${service.url}/${VideoService.typeName}/CreateVideo`, {
      method: 'POST',
      headers: { 'content-type': 'application/proto', authorization: `Bearer ${token}` },
      body: undecodable,
    });
    expect(response.status).toBe(400);
    const error = errorFromJsonBytes(new Uint8Array(await response.arrayBuffer()), undefined, new ConnectError('not a Connect error'));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.findDetails(ErrorInfoSchema).map(({ reason, domain }) => ({ reason, domain }))).toEqual([{ reason: 'MALFORMED_REQUEST', domain: 'videosvc' }]);
  });

  it('a gRPC-Web request over 1 MiB is RESOURCE_EXHAUSTED with REQUEST_TOO_LARGE (connect-node)', async () => {
    const refused = await connectCaller(service.url, 'grpc-web')('CreateVideo', { video: { originalName: 'a.mp4', title: 'x'.repeat(1024 * 1024 + 1) } }, token);
    expect(refused.code).toBe(Code.ResourceExhausted);
    expect(refused.errorInfo?.reason).toBe('REQUEST_TOO_LARGE');
  });

  it('a health check of an unknown service is NOT_FOUND with SERVICE_NOT_FOUND', async () => {
    const health = createClient(Health, createGrpcTransport({ baseUrl: service.url }));
    const error = await health.check({ service: 'no.such.Service' }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConnectError);
    const { code, rawMessage } = error as ConnectError;
    expect({ code, rawMessage }).toEqual({ code: Code.NotFound, rawMessage: 'unknown service no.such.Service' });
    expect((error as ConnectError).findDetails(ErrorInfoSchema)[0]).toMatchObject({ reason: 'SERVICE_NOT_FOUND', domain: 'videosvc', metadata: { service: 'no.such.Service' } });
  });
});
