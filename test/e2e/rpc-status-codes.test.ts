// Every status code SPEC §3/§4/§6 names, reached over a real socket, with its message.
import { fromBinary } from '@bufbuild/protobuf';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Code, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { v7 as uuidV7 } from 'uuid';
import { bearerTokenInterceptor, createVideoServiceClient } from '../../src/client.ts';
import { internalMessage } from '../../src/adapters/rpc/errors.ts';
import { ErrorInfoSchema } from '../../src/gen/google/rpc/error_details_pb.ts';
import { VideoStatus } from '../../src/gen/video/v1/video_pb.ts';
import { VideoService } from '../../src/gen/video/v1/video_service_pb.ts';
import { corruptStoreMessage, faultyStore, type FaultyStore } from '../support/faulty-store.ts';
import { failureOf, videoApi } from '../support/rpc-clients.ts';
import { startTestService, type TestService } from '../support/rpc-service.ts';

let service: TestService;
let faulty: FaultyStore;
let alice: ReturnType<typeof createVideoServiceClient>;

beforeAll(async () => {
  service = await startTestService({ wrapStore: (store) => (faulty = faultyStore(store)).store });
  alice = createVideoServiceClient({ baseUrl: service.url, token: await service.mint('alice') });
});
afterEach(() => {
  faulty.mode = 'normal';
  faulty.release();
});
afterAll(async () => {
  await service?.stop();
});

/** The first log line for `procedure` written after the first `skip` lines (lines are written when responses close). */
async function logLineAfter(skip: number, procedure: string): Promise<Record<string, unknown>> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const line = service.logs.slice(skip).find((entry) => entry.procedure === `/video.v1.VideoService/${procedure}`);
    if (line !== undefined) return line;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no log line for ${procedure}`);
}

describe('domain errors reach the wire with their code and message', () => {
  it('a rule broken is INVALID_ARGUMENT naming the field and the rule', async () => {
    const tooLong = await failureOf(alice.createVideo({ video: { originalName: 'a.mp4', title: 'x'.repeat(301) } }));
    expect(tooLong).toEqual({ code: Code.InvalidArgument, message: 'title: at most 300 characters' });
    const negative = await failureOf(alice.listVideos({ pageSize: -1 }));
    expect(negative).toEqual({ code: Code.InvalidArgument, message: 'page_size: must not be negative' });
    const unknownStatus = await failureOf(alice.listVideos({ status: 42 as VideoStatus }));
    expect(unknownStatus.code).toBe(Code.InvalidArgument);
    expect(unknownStatus.message).toMatch(/^status: unknown status 42/);
  });

  it('an absent video is NOT_FOUND', async () => {
    const videoId = uuidV7();
    expect(await failureOf(alice.getVideo({ videoId }))).toEqual({
      code: Code.NotFound,
      message: `video ${videoId} of owner alice not found`,
    });
  });

  it('a taken id is ALREADY_EXISTS', async () => {
    const videoId = uuidV7();
    await alice.createVideo({ video: { originalName: 'a.mp4' }, videoId });
    const failure = await failureOf(alice.createVideo({ video: { originalName: 'b.mp4' }, videoId }));
    expect(failure).toEqual({ code: Code.AlreadyExists, message: `video ${videoId} of owner alice already exists` });
  });

  it('a stale etag is ABORTED and nothing changes', async () => {
    const { video } = await alice.createVideo({ video: { originalName: 'a.mp4' } });
    await alice.updateVideo({ video: { videoId: video!.videoId, title: 'one' }, updateMask: { paths: ['title'] } });
    const failure = await failureOf(
      alice.updateVideo({ video: { videoId: video!.videoId, etag: video!.etag, title: 'two' }, updateMask: { paths: ['title'] } }),
    );
    expect(failure.code).toBe(Code.Aborted);
    expect(failure.message).toBe('etag: does not match the current version; read the video again and retry');
    expect((await alice.getVideo({ videoId: video!.videoId })).video?.title).toBe('one');
  });

  it('an illegal status change is FAILED_PRECONDITION naming both states', async () => {
    const { video } = await alice.createVideo({ video: { originalName: 'a.mp4' } });
    const failure = await failureOf(
      alice.updateVideo({ video: { videoId: video!.videoId, status: VideoStatus.COMPLETED }, updateMask: { paths: ['status'] } }),
    );
    expect(failure).toEqual({ code: Code.FailedPrecondition, message: 'status: cannot change from UPLOADED to COMPLETED' });
  });

  it("another owner's videos are PERMISSION_DENIED without the admin scope", async () => {
    const failure = await failureOf(alice.listVideos({ ownerId: 'bob' }));
    expect(failure).toEqual({ code: Code.PermissionDenied, message: 'caller alice may not act on videos of owner bob' });
  });

  it("the videos:admin scope may act on another owner's videos", async () => {
    const worker = createVideoServiceClient({ baseUrl: service.url, token: await service.mint('transcoder', { admin: true }) });
    const { video } = await worker.createVideo({ video: { ownerId: 'carol', originalName: 'c.mp4' } });
    expect(video?.ownerId).toBe('carol');
    const claimed = await worker.updateVideo({
      video: { ownerId: 'carol', videoId: video!.videoId, etag: video!.etag, status: VideoStatus.TRANSCODING },
      updateMask: { paths: ['status'] },
    });
    expect(claimed.video?.status).toBe(VideoStatus.TRANSCODING);
    expect((await worker.listVideos({ ownerId: 'carol' })).videos.map((each) => each.videoId)).toEqual([video!.videoId]);
  });

  it('a grpc-js caller reads the message as sent (no %3A escapes)', async () => {
    const api = videoApi('@grpc/grpc-js + proto-loader', service.url, await service.mint('alice'));
    const failure = await failureOf(api.create({ originalName: 'a.mp4', title: 'ü'.repeat(301) }));
    expect(failure).toEqual({ code: Code.InvalidArgument, message: 'title: at most 300 characters' });
    api.close();
  });
});

describe('transport limits and store failures', () => {
  it.each(['grpc', 'connect', 'grpc-web'] as const)(
    'a request message above 1 MiB is RESOURCE_EXHAUSTED over %s, and its log line says so',
    async (protocol) => {
      const client = createVideoServiceClient({ baseUrl: service.url, token: await service.mint('alice'), protocol });
      const huge = { video: { originalName: 'a.mp4', labels: { blob: 'x'.repeat(1024 * 1024) } } };
      const logged = service.logs.length;
      const failure = await failureOf(client.createVideo(huge));
      expect(failure.code).toBe(Code.ResourceExhausted);
      expect(failure.message).toMatch(/message size .*larger than configured readMaxBytes 1048576/);
      expect((await logLineAfter(logged, 'CreateVideo')).code).toBe('resource_exhausted');
    },
  );

  it('a request just under 1 MiB is accepted by the transport (and judged by the rules)', async () => {
    const failure = await failureOf(alice.createVideo({ video: { originalName: 'a.mp4', labels: { blob: 'x'.repeat(1000 * 1000) } } }));
    expect(failure).toEqual({ code: Code.InvalidArgument, message: 'labels: value of "blob" must be at most 256 characters' });
  });

  it('the server ends a call at the client deadline with DEADLINE_EXCEEDED even when the store never answers', async () => {
    faulty.mode = 'hang';
    // No client-side timer: only the grpc-timeout header, so the answer must come from the server.
    const raw = createClient(VideoService, createGrpcTransport({ baseUrl: service.url, interceptors: [bearerTokenInterceptor(await service.mint('alice'))] }));
    const logged = service.logs.length;
    const failure = await failureOf(raw.listVideos({}, { headers: { 'grpc-timeout': '50m' } }));
    expect(failure.code).toBe(Code.DeadlineExceeded);
    expect((await logLineAfter(logged, 'ListVideos')).code).toBe('deadline_exceeded');
    const withTimer = await failureOf(alice.getVideo({ videoId: uuidV7() }, { timeoutMs: 50 }));
    expect(withTimer.code).toBe(Code.DeadlineExceeded);
  });

  it('a store that is down is UNAVAILABLE (retryable), not INTERNAL', async () => {
    faulty.mode = 'unavailable';
    expect(await failureOf(alice.listVideos({}))).toEqual({
      code: Code.Unavailable,
      message: 'the video store is unavailable; retry later',
    });
  });

  it('an unexpected store error is INTERNAL with a generic message; the original is only in the log', async () => {
    faulty.mode = 'corrupt';
    const logged = service.logs.length;
    for (const client of [alice, createVideoServiceClient({ baseUrl: service.url, token: await service.mint('alice'), protocol: 'connect' })]) {
      const failure = await failureOf(client.getVideo({ videoId: uuidV7() }));
      expect(failure).toEqual({ code: Code.Internal, message: internalMessage });
    }
    const line = await logLineAfter(logged, 'GetVideo');
    expect(line).toMatchObject({ code: 'internal', level: 50, caller: 'alice' });
    expect(JSON.stringify(line.err)).toContain('SQLITE_CORRUPT');
    expect(corruptStoreMessage).toContain('secret details');
  });

  it('an unexpected error never carries a stack or store text in Connect JSON either', async () => {
    faulty.mode = 'corrupt';
    const response = await fetch(`${service.url}/video.v1.VideoService/ListVideos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await service.mint('alice')}` },
      body: '{}',
    });
    const body = await response.text();
    expect(response.status).toBe(500);
    const { details, ...error } = JSON.parse(body) as { details: { type: string; value: string }[] };
    expect(error).toEqual({ code: 'internal', message: internalMessage });
    // Its one detail is the ErrorInfo saying INTERNAL, nothing about the cause.
    expect(details.map(({ type, value }) => ({ type, reason: fromBinary(ErrorInfoSchema, Buffer.from(value, 'base64')).reason }))).toEqual([
      { type: 'google.rpc.ErrorInfo', reason: 'INTERNAL' },
    ]);
    expect(body).not.toMatch(/SQLITE|secret|at .*\.ts/);
  });
});
