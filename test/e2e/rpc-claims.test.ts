// ClaimVideo and RenewClaim end to end over real sockets (SPEC §9): a worker's whole cycle
// (claim, renew, finish) with @grpc/grpc-js loading the .proto, with connect-es, and with
// `buf curl` through reflection; the codes a worker meets; the long poll over the wire,
// woken by a create, bounded by the deadline and answered at once by a closing server.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { Code } from '@connectrpc/connect';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVideoServiceClient } from '../../src/client.ts';
import { VideoStatus } from '../../src/gen/video/v1/video_pb.ts';
import { bufCurl } from '../support/buf-curl.ts';
import { failureOf } from '../support/rpc-clients.ts';
import { startTestService, testStoreKinds, type TestService } from '../support/rpc-service.ts';

const packageDefinition = protoLoader.loadSync('video/v1/video_service.proto', { includeDirs: ['proto'], longs: String, enums: String, defaults: true });
const loaded = grpc.loadPackageDefinition(packageDefinition) as unknown as {
  video: { v1: { VideoService: new (address: string, credentials: grpc.ChannelCredentials) => grpc.Client } };
};

type GrpcVideo = { ownerId: string; videoId: string; status: string; etag: string; attemptCount: number; claim: { workerId: string; expireTime: { seconds: string; nanos: number } } | null };

/** A grpc-js client of the service, calling with `token`. */
function grpcJs(url: string, token: string) {
  const client = new loaded.video.v1.VideoService(new URL(url).host, grpc.credentials.createInsecure()) as grpc.Client &
    Record<string, (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response: any) => void) => void>;
  const call = <T>(method: string, request: unknown, deadlineMs?: number): Promise<T> =>
    new Promise((resolve, reject) => {
      const metadata = new grpc.Metadata();
      metadata.set('authorization', `Bearer ${token}`);
      const options = deadlineMs === undefined ? {} : { deadline: new Date(Date.now() + deadlineMs) };
      client[method]!(request, metadata, options, (error, response) => (error ? reject(error) : resolve(response as T)));
    });
  return { call, close: () => client.close() };
}

const expireMs = (claim: GrpcVideo['claim']) => Number(claim!.expireTime.seconds) * 1000 + Math.floor(claim!.expireTime.nanos / 1e6);

for (const kind of testStoreKinds) {
  describe(`work claiming over the wire (${kind})`, () => {
    let service: TestService;
    let adminToken: string;
    let userToken: string;

    beforeAll(async () => {
      service = await startTestService({ store: kind, claimPollIntervalMs: 300 });
      adminToken = await service.mint('transcoder', { admin: true });
      userToken = await service.mint('uploader');
    });
    afterAll(async () => {
      await service?.stop();
    });

    it('a grpc-js worker claims, renews and finishes; the codes it can meet', async () => {
      const worker = grpcJs(service.url, adminToken);
      const user = grpcJs(service.url, userToken);
      try {
        // Nothing waiting yet: OK, no video.
        expect(await worker.call<{ video: GrpcVideo | null }>('ClaimVideo', { workerId: 'w-grpc' })).toEqual({ video: null });
        const created = (await user.call<{ video: GrpcVideo }>('CreateVideo', { video: { originalName: 'in.mov' } })).video;
        const before = Date.now();
        const claimed = (await worker.call<{ video: GrpcVideo }>('ClaimVideo', { workerId: 'w-grpc', leaseDuration: { seconds: 30 } })).video;
        expect(claimed).toMatchObject({ videoId: created.videoId, ownerId: 'uploader', status: 'VIDEO_STATUS_TRANSCODING', attemptCount: 1, claim: { workerId: 'w-grpc' } });
        expect(claimed.etag).not.toBe(created.etag);
        expect(expireMs(claimed.claim)).toBeGreaterThanOrEqual(before + 29_000);
        expect(expireMs(claimed.claim)).toBeLessThanOrEqual(Date.now() + 30_000);

        const key = { ownerId: claimed.ownerId, videoId: claimed.videoId };
        const renewed = (await worker.call<{ video: GrpcVideo }>('RenewClaim', { ...key, workerId: 'w-grpc', leaseDuration: { seconds: 600 } })).video;
        expect(expireMs(renewed.claim)).toBeGreaterThan(expireMs(claimed.claim) + 500_000);
        expect(renewed.etag).not.toBe(claimed.etag);

        const other = await failureOf(worker.call('RenewClaim', { ...key, workerId: 'w-other' }));
        expect(other.code).toBe(grpc.status.FAILED_PRECONDITION);
        expect(other.message).toContain('w-other');
        expect((await failureOf(worker.call('RenewClaim', { ownerId: 'uploader', videoId: '01936f3e-7a4b-7c3d-8e2f-123456789abc', workerId: 'w-grpc' }))).code).toBe(grpc.status.NOT_FOUND);
        expect((await failureOf(user.call('ClaimVideo', { workerId: 'w-user' }))).code).toBe(grpc.status.PERMISSION_DENIED);
        expect((await failureOf(user.call('RenewClaim', { ...key, workerId: 'w-grpc' }))).code).toBe(grpc.status.PERMISSION_DENIED);
        const badWorker = await failureOf(worker.call('ClaimVideo', { workerId: 'no spaces' }));
        expect(badWorker).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, message: expect.stringContaining('worker_id') });
        expect((await failureOf(worker.call('ClaimVideo', { workerId: 'w', leaseDuration: { seconds: 3601 } }))).code).toBe(grpc.status.INVALID_ARGUMENT);
        expect((await failureOf(worker.call('ClaimVideo', { workerId: 'w', waitDuration: { seconds: 21 } }))).code).toBe(grpc.status.INVALID_ARGUMENT);

        // The claim's etag fences the worker's finishing write: a stale one is ABORTED.
        const stale = await failureOf(worker.call('UpdateVideo', { video: { ...key, etag: claimed.etag, status: 'VIDEO_STATUS_TRANSCODED' }, updateMask: { paths: ['status'] } }));
        expect(stale.code).toBe(grpc.status.ABORTED);
        const finished = (await worker.call<{ video: GrpcVideo }>('UpdateVideo', {
          video: { ...key, etag: renewed.etag, status: 'VIDEO_STATUS_TRANSCODED', transcodedKey: 'out/in.mp4' },
          updateMask: { paths: ['status', 'transcoded_key'] },
        })).video;
        expect(finished).toMatchObject({ status: 'VIDEO_STATUS_TRANSCODED', claim: null, attemptCount: 1 });
        expect(await worker.call<{ video: GrpcVideo | null }>('ClaimVideo', { workerId: 'w-grpc' })).toEqual({ video: null });
      } finally {
        worker.close();
        user.close();
      }
    });

    it('a connect-es worker waiting in a long poll is woken by a create and gets the video', async () => {
      const worker = createVideoServiceClient({ baseUrl: service.url, token: adminToken, protocol: 'connect' });
      const user = createVideoServiceClient({ baseUrl: service.url, token: userToken });
      const start = performance.now();
      const waiting = worker.claimVideo({ workerId: 'w-connect', waitDuration: { seconds: 10n } });
      await new Promise((resolve) => setTimeout(resolve, 150));
      const created = (await user.createVideo({ video: { originalName: 'wake.mov' } })).video!;
      const claimed = (await waiting).video!;
      expect(claimed).toMatchObject({ videoId: created.videoId, status: VideoStatus.TRANSCODING, claim: { workerId: 'w-connect' } });
      expect(performance.now() - start).toBeLessThan(1_500);
      await worker.updateVideo({ video: { ownerId: claimed.ownerId, videoId: claimed.videoId, etag: claimed.etag, status: VideoStatus.FAILED, failureReason: 'codec not supported' }, updateMask: { paths: ['status', 'failure_reason'] } });
    });

    it('a long poll answers OK with no video before the call\'s deadline', async () => {
      const worker = grpcJs(service.url, adminToken);
      try {
        const start = performance.now();
        const answer = await worker.call<{ video: GrpcVideo | null }>('ClaimVideo', { workerId: 'w-deadline', waitDuration: { seconds: 20 } }, 1_000);
        expect(answer).toEqual({ video: null });
        expect(performance.now() - start).toBeGreaterThan(600);
        expect(performance.now() - start).toBeLessThan(1_000);
      } finally {
        worker.close();
      }
    });

    it('an unknown caller cannot hold the service in a long poll', async () => {
      const anonymous = createVideoServiceClient({ baseUrl: service.url, token: 'not-a-token' });
      const failure = await failureOf(anonymous.claimVideo({ workerId: 'w', waitDuration: { seconds: 20n } }));
      expect(failure.code).toBe(Code.Unauthenticated);
    });
  });
}

describe('a closing server', () => {
  it('answers its waiting ClaimVideo calls at once, OK with no video', async () => {
    const service = await startTestService();
    const worker = createVideoServiceClient({ baseUrl: service.url, token: await service.mint('transcoder', { admin: true }) });
    try {
      const waiting = Promise.all([1, 2, 3].map((i) => worker.claimVideo({ workerId: `w-${i}`, waitDuration: { seconds: 20n } })));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const start = performance.now();
      const closing = service.server.close({ graceMs: 5_000 });
      const answers = await waiting;
      expect(answers.map((answer) => answer.video)).toEqual([undefined, undefined, undefined]);
      expect(performance.now() - start).toBeLessThan(300);
      await closing;
    } finally {
      await service.stop();
    }
  });
});

describe('buf curl', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(async () => {
    await service?.stop();
  });

  async function call(token: string, method: string, body: object): Promise<Record<string, any>> {
    const stdout = await bufCurl('-H', `authorization: Bearer ${token}`, '-d', JSON.stringify(body), `${service.url}/video.v1.VideoService/${method}`);
    return JSON.parse(stdout) as Record<string, any>;
  }

  it('claims, renews and finishes as the README shows', async () => {
    const admin = await service.mint('transcoder', { admin: true });
    const user = await service.mint('uploader');
    const created = (await call(user, 'CreateVideo', { video: { originalName: 'curl.mov' } })).video;
    const claimed = (await call(admin, 'ClaimVideo', { workerId: 'w-curl', leaseDuration: '600s', waitDuration: '5s' })).video;
    expect(claimed).toMatchObject({ videoId: created.videoId, status: 'VIDEO_STATUS_TRANSCODING', claim: { workerId: 'w-curl' }, attemptCount: 1 });
    const renewed = (await call(admin, 'RenewClaim', { ownerId: claimed.ownerId, videoId: claimed.videoId, workerId: 'w-curl', leaseDuration: '600s' })).video;
    expect(Date.parse(renewed.claim.expireTime)).toBeGreaterThanOrEqual(Date.parse(claimed.claim.expireTime));
    const finished = (await call(admin, 'UpdateVideo', {
      video: { ownerId: claimed.ownerId, videoId: claimed.videoId, etag: renewed.etag, status: 'VIDEO_STATUS_TRANSCODED', transcodedKey: 'out/curl.mp4' },
      updateMask: 'status,transcodedKey',
    })).video;
    expect(finished).toMatchObject({ status: 'VIDEO_STATUS_TRANSCODED', transcodedKey: 'out/curl.mp4' });
    expect(finished.claim).toBeUndefined();
    // Nothing left: buf curl prints the empty message.
    expect(await call(admin, 'ClaimVideo', { workerId: 'w-curl' })).toEqual({});
  });
});
