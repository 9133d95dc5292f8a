// Items the older application wrote, served by the real composition root over gRPC:
// numbers outside SPEC §1 used to make GetVideo and whole ListVideos pages INTERNAL (a
// uint32 cannot carry 2^33), and status spellings the reader accepts dropped out of
// status-filtered lists. Now every call answers OK with the clamped values, each item is
// listed under the status it reads as, and a worker can claim a legacy `Uploaded` item.
import { Code } from '@connectrpc/connect';
import { PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { mintToken } from '../../src/adapters/token/mint.ts';
import { parseConfig } from '../../src/app/config.ts';
import { start, type RunningService } from '../../src/main/start.ts';
import { VideoStatus } from '../../src/gen/video/v1/video_pb.ts';
import { createVideosTable, startDynalite, testClient, type RunningDynalite } from '../support/dynalite.ts';
import { failureOf } from '../support/rpc-clients.ts';
import { testSecret, videoClient } from './cli-process.ts';
import { awsTestEnv, stubProcessEnv } from './service-env.ts';

const names = { table: 'videos-legacy', ownerIndex: 'OwnerIndex' };
const owner = 'legacy-owner';
let dynamo: RunningDynalite;
let service: RunningService | undefined;

function id(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

// What the older writer left: out-of-range numbers and odd status spellings.
const extras: Record<string, AttributeValue>[] = [
  { width: { N: '8589934592' }, height: { N: '-720' }, sizeBytes: { N: '36893488147419103232' }, duration: { N: '-1' }, status: { S: 'Uploaded' } },
  { width: { N: '1280.7' }, height: { S: '1e400' }, sizeBytes: { N: '-5' }, status: { S: 'UPLOADED' } },
  { width: { N: '640' }, height: { N: '480' }, status: { S: 'uPlOaDeD' } },
  { status: { N: '3' } },
];
const items: Record<string, AttributeValue>[] = extras.map((extra, n) => ({
  ownerId: { S: owner },
  videoId: { S: id(n) },
  originalName: { S: `old-${n}.mov` },
  createdAt: { S: new Date(Date.UTC(2023, 5, 1) + n * 60_000).toISOString() },
  ...extra,
}));

beforeAll(async () => {
  dynamo = await startDynalite();
  const client = testClient(dynamo.endpoint);
  await createVideosTable(client, names, 'owner-time');
  for (const Item of items) await client.send(new PutItemCommand({ TableName: names.table, Item }));
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

it('serves legacy out-of-range numbers clamped, lists odd status spellings under their status, and claims one', async () => {
  const token = await mintToken({ secret: new TextEncoder().encode(testSecret), subject: owner, ttlSeconds: 600 });
  const client = videoClient(service!.url, token);

  const first = (await client.getVideo({ videoId: id(0) })).video!;
  expect([first.width, first.height, first.sizeBytes, first.durationSeconds]).toEqual([65535, 0, 2n ** 64n - 1n, 0]);
  const second = (await client.getVideo({ videoId: id(1) })).video!;
  expect([second.width, second.height, second.sizeBytes]).toEqual([1280, 65535, 0n]);

  const all = (await client.listVideos({ pageSize: 10 })).videos;
  expect(all.map((v) => [v.videoId, v.status])).toEqual([
    [id(3), VideoStatus.FAILED],
    [id(2), VideoStatus.UPLOADED],
    [id(1), VideoStatus.UPLOADED],
    [id(0), VideoStatus.UPLOADED],
  ]);
  const uploaded = (await client.listVideos({ pageSize: 10, status: VideoStatus.UPLOADED })).videos;
  expect(uploaded.map((v) => v.videoId)).toEqual([id(2), id(1), id(0)]);
  const failed = (await client.listVideos({ pageSize: 10, status: VideoStatus.FAILED })).videos;
  expect(failed.map((v) => v.videoId)).toEqual([id(3)]);

  // A worker claims the `uPlOaDeD` item with its etag; the numeric status is refused, named.
  const claimed = await client.updateVideo({
    video: { videoId: id(2), status: VideoStatus.TRANSCODING, etag: all[1]!.etag },
    updateMask: { paths: ['status'] },
  });
  expect(claimed.video?.status).toBe(VideoStatus.TRANSCODING);
  const refused = await failureOf(
    client.updateVideo({ video: { videoId: id(3), status: VideoStatus.UPLOADED }, updateMask: { paths: ['status'] } }),
  );
  expect(refused.code).toBe(Code.FailedPrecondition);
  expect(refused.message).toContain('cannot change from 3 to UPLOADED');
});
