// Errors a program can act on (SPEC §6, AIP-193), read as real clients read them over a real
// socket: every domain refusal carries a google.rpc.ErrorInfo (domain videosvc, a stable
// reason, metadata), INVALID_ARGUMENT a google.rpc.BadRequest, and the rate limit its RetryInfo
// still. Each case runs through the lean path (grpc-js; Connect JSON with a content-length, as
// fetch sends it) and through connect-node (grpc-js with gzip requests, connect-es's Connect
// JSON and binary, gRPC-Web), since both must send the same details.
import { Code, createClient } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import { v7 as uuidV7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultLimits } from '../../src/app/limits.ts';
import { bearerTokenInterceptor } from '../../src/client.ts';
import { VideoStatus } from '../../src/gen/video/v1/video_pb.ts';
import { VideoService } from '../../src/gen/video/v1/video_service_pb.ts';
import { callerOf, kinds, type Caller } from '../support/error-details.ts';
import { startTestService, type TestService } from '../support/rpc-service.ts';

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

describe.each(kinds)('error details read by %s', (_name, kind) => {
  let call: Caller;
  let token: string;
  const owner = `errors-${kind}`;

  beforeAll(async () => {
    call = callerOf(kind, service.url, closers);
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
    const limitedCall = callerOf(kind, limited.url, closers);
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
