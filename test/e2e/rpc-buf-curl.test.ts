// `buf curl` (the npm binary) against the running service with no local proto files:
// everything it knows comes from server reflection (SPEC §6).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufCurl } from '../support/buf-curl.ts';
import { startTestService, type TestService } from '../support/rpc-service.ts';

let service: TestService;

beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service?.stop();
});

describe('buf curl through server reflection', () => {
  it.each([[[]], [['--reflect-protocol', 'grpc-v1']], [['--reflect-protocol', 'grpc-v1alpha']]])(
    'lists the services (%j)',
    async (reflectProtocol) => {
      const listed = (await bufCurl(...reflectProtocol, '--list-services', service.url)).trim().split('\n');
      expect(listed).toEqual(
        expect.arrayContaining(['video.v1.VideoService', 'grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection']),
      );
    },
  );

  it('lists the methods of VideoService', async () => {
    const methods = (await bufCurl('--list-methods', service.url)).trim().split('\n');
    expect(methods.filter((method) => method.startsWith('video.v1.VideoService/')).sort()).toEqual(
      ['BatchGetVideos', 'ClaimVideo', 'CreateVideo', 'DeleteVideo', 'GetVideo', 'ListVideos', 'RenewClaim', 'UpdateVideo'].map((name) => `video.v1.VideoService/${name}`),
    );
  });

  it.each([[[]], [['--reflect-protocol', 'grpc-v1alpha']]])('creates and lists a video with a token and no proto files (%j)', async (reflectProtocol) => {
    const token = await service.mint('buf-user');
    const created = JSON.parse(
      await bufCurl(...reflectProtocol, '-H', `authorization: Bearer ${token}`, '-d', '{"video":{"originalName":"a.mp4","labels":{"via":"buf"}}}', `${service.url}/video.v1.VideoService/CreateVideo`),
    ) as { video: Record<string, unknown> };
    expect(created.video).toMatchObject({ ownerId: 'buf-user', originalName: 'a.mp4', title: 'a.mp4', status: 'VIDEO_STATUS_UPLOADED', labels: { via: 'buf' }, etag: 'v1' });
    expect(created.video.createTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    const listed = JSON.parse(
      await bufCurl(...reflectProtocol, '-H', `authorization: Bearer ${token}`, '-d', '{"pageSize":10}', `${service.url}/video.v1.VideoService/ListVideos`),
    ) as { videos: { videoId: string }[] };
    expect(listed.videos.map((video) => video.videoId)).toContain(created.video.videoId);
  });

  it('calls the health service with no token', async () => {
    expect(JSON.parse(await bufCurl(`${service.url}/grpc.health.v1.Health/Check`))).toEqual({ status: 'SERVING' });
  });
});
