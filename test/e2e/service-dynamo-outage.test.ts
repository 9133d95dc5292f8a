// Issue 5: the store stopped mid-run. The service (the real composition root, start())
// keeps running: every call fails UNAVAILABLE (retryable, not INTERNAL), /readyz says
// 503 and the health of video.v1.VideoService NOT_SERVING, while /healthz stays 200 and
// the whole server's health ("", what a liveness probe asks) stays SERVING; when DynamoDB
// is back the same process serves again.
import { Code, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mintToken } from '../../src/adapters/token/mint.ts';
import { parseConfig } from '../../src/app/config.ts';
import { start, type RunningService } from '../../src/main/start.ts';
import { Health, HealthCheckResponse_ServingStatus as Serving } from '../../src/gen/grpc/health/v1/health_pb.ts';
import { VideoStatus } from '../../src/gen/video/v1/video_pb.ts';
import { createVideosTable, startDynalite, testClient, type RunningDynalite } from '../support/dynalite.ts';
import { failureOf } from '../support/rpc-clients.ts';
import { testSecret, videoClient } from './cli-process.ts';
import { awsTestEnv, stubProcessEnv } from './service-env.ts';

const names = { table: 'videos-outage', ownerIndex: 'OwnerIndex' };
let dynamo: RunningDynalite;
let service: RunningService | undefined;

beforeAll(async () => {
  dynamo = await startDynalite();
  const client = testClient(dynamo.endpoint);
  await createVideosTable(client, names, 'owner-time');
  client.destroy();
  stubProcessEnv({ ...awsTestEnv, AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint });
  const config = parseConfig({ PORT: '0', VIDEO_STORE: 'dynamodb', DYNAMO_TABLE: names.table, JWT_SECRET: testSecret, ...awsTestEnv });
  service = await start(config, { logger: pino({ level: 'silent' }) });
});

afterAll(async () => {
  await service?.stop({ graceMs: 0 });
  await dynamo?.stop();
  vi.unstubAllEnvs();
});

async function probe(path: '/healthz' | '/readyz'): Promise<number> {
  const response = await fetch(`${service!.url}${path}`);
  await response.text();
  return response.status;
}

async function codeOf(call: Promise<unknown>): Promise<Code> {
  return (await failureOf(call)).code;
}

describe('DynamoDB stopped under a running service', () => {
  it('calls fail UNAVAILABLE and /readyz is 503 while it is down; once it is back they succeed, no restart', async () => {
    const token = await mintToken({ secret: new TextEncoder().encode(testSecret), subject: 'alice', ttlSeconds: 600 });
    const client = videoClient(service!.url, token);
    const health = createClient(Health, createGrpcTransport({ baseUrl: service!.url }));
    const before = (await client.createVideo({ video: { originalName: 'before.mp4' } })).video!;
    expect(await probe('/readyz')).toBe(200);
    expect((await health.check({ service: '' })).status).toBe(Serving.SERVING);
    expect((await health.check({ service: 'video.v1.VideoService' })).status).toBe(Serving.SERVING);

    await dynamo.stop();
    const key = { ownerId: '', videoId: before.videoId };
    const codes = await Promise.all([
      codeOf(client.createVideo({ video: { originalName: 'during.mp4' } })),
      codeOf(client.getVideo(key)),
      codeOf(client.listVideos({})),
      codeOf(client.updateVideo({ video: { ...key, title: 'during' }, updateMask: { paths: ['title'] } })),
      codeOf(client.deleteVideo(key)),
      codeOf(client.batchGetVideos({ videoIds: [before.videoId] })),
    ]);
    expect(codes).toEqual(Array(6).fill(Code.Unavailable));
    expect(await probe('/readyz')).toBe(503);
    expect((await health.check({ service: 'video.v1.VideoService' })).status).toBe(Serving.NOT_SERVING);
    expect((await health.check({ service: '' })).status).toBe(Serving.SERVING);
    expect(await probe('/healthz')).toBe(200);

    // dynalite keeps its data in memory, so "back" is an empty server on the same port
    // with the table created again.
    await dynamo.restart();
    const admin = testClient(dynamo.endpoint);
    await createVideosTable(admin, names, 'owner-time');
    admin.destroy();

    expect(await probe('/readyz')).toBe(200);
    expect((await health.check({ service: 'video.v1.VideoService' })).status).toBe(Serving.SERVING);
    const after = (await client.createVideo({ video: { originalName: 'after.mp4' } })).video!;
    expect(after.status).toBe(VideoStatus.UPLOADED);
    expect((await client.getVideo({ videoId: after.videoId })).video).toEqual(after);
    expect((await client.listVideos({})).videos.map((video) => video.videoId)).toEqual([after.videoId]);
  });
});
