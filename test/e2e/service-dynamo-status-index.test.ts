// A worker polling ListVideos(status=UPLOADED) for an owner whose partition is full of
// other videos, over gRPC against the real composition root: on the owner-and-status index
// each page is exactly one DynamoDB Query at the wire, however many videos the filter
// skips; on a table without it the service logs one warning naming the command that adds
// it, and lists the same videos by reading past the others.
import { BatchWriteItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mintToken } from '../../src/adapters/token/mint.ts';
import { parseConfig } from '../../src/app/config.ts';
import { start, type RunningService } from '../../src/main/start.ts';
import { VideoStatus } from '../../src/gen/video/v1/video_pb.ts';
import { createVideosTable, startDynalite, testClient, type IndexShape, type RunningDynalite } from '../support/dynalite.ts';
import { startIndexProxy, type IndexProxy } from '../support/index-proxy.ts';
import { testSecret, videoClient } from './cli-process.ts';
import { awsTestEnv, stubProcessEnv } from './service-env.ts';

const owner = 'poller';
const otherVideos = 2_000;
let dynamo: RunningDynalite;
let proxy: IndexProxy;

function id(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

/** `otherVideos` COMPLETED videos and four UPLOADED ones spread among them, as this service writes them. */
function items(): Record<string, AttributeValue>[] {
  const uploaded = new Set([0, 700, 1_400, otherVideos + 3]);
  return Array.from({ length: otherVideos + 4 }, (_, n) => {
    const status = uploaded.has(n) ? 'uploaded' : 'completed';
    const at = new Date(Date.UTC(2024, 0, 1) + n * 1_000).toISOString();
    return {
      ownerId: { S: owner },
      videoId: { S: id(n) },
      originalName: { S: `v${n}.mp4` },
      status: { S: status },
      ownerStatus: { S: `${owner}#${status}` },
      createdAt: { S: at },
      updatedAt: { S: at },
      version: { N: '1' },
    };
  });
}

beforeAll(async () => {
  dynamo = await startDynalite();
  proxy = await startIndexProxy(dynamo.endpoint);
  stubProcessEnv({ ...awsTestEnv, AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint });
});
afterAll(async () => {
  await proxy?.close();
  await dynamo?.stop();
  vi.unstubAllEnvs();
});

describe.each<[IndexShape, number]>([
  ['owner-time-and-status', 0],
  ['owner-time', 1],
])('ListVideos(status=UPLOADED) over 2 000 COMPLETED videos, table shape %s', (shape, expectedWarnings) => {
  let service: RunningService | undefined;
  const warnings: string[] = [];
  beforeAll(async () => {
    const table = `videos-poll-${shape}`;
    const client = testClient(proxy.endpoint);
    await createVideosTable(client, { table, ownerIndex: 'OwnerIndex' }, shape);
    const all = items();
    for (let start = 0; start < all.length; start += 25) {
      await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: all.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } })) } }));
    }
    client.destroy();
    // At warn the `listening` line is logged too (so the port is known at any level); it is no warning.
    const logger = pino({ level: 'warn' }, { write: (line: string) => {
      const msg = String(JSON.parse(line).msg);
      if (msg !== 'listening') warnings.push(msg);
    } });
    const config = parseConfig({ PORT: '0', VIDEO_STORE: 'dynamodb', DYNAMO_TABLE: table, JWT_SECRET: testSecret, ...awsTestEnv });
    service = await start(config, { logger });
  });
  afterAll(async () => {
    await service?.stop({ graceMs: 0 });
  });

  it('lists every waiting video once, newest first, and says at start whether it reads past the others', async () => {
    expect(warnings).toHaveLength(expectedWarnings);
    if (expectedWarnings > 0) expect(warnings[0]).toContain('`videosvc dynamo create-index --status`');
    const token = await mintToken({ secret: new TextEncoder().encode(testSecret), subject: owner, ttlSeconds: 600 });
    const client = videoClient(service!.url, token);
    const queries: number[] = [];
    const listed: string[] = [];
    let pageToken = '';
    do {
      proxy.operations.length = 0;
      const page = await client.listVideos({ status: VideoStatus.UPLOADED, pageSize: 2, pageToken });
      queries.push(proxy.operations.filter((operation) => operation === 'Query').length);
      listed.push(...page.videos.map((video) => video.videoId));
      pageToken = page.nextPageToken;
    } while (pageToken !== '');
    expect(listed).toEqual([id(otherVideos + 3), id(1_400), id(700), id(0)]);
    console.log(`${shape}: DynamoDB Queries per page of 2 UPLOADED among ${otherVideos} COMPLETED: ${JSON.stringify(queries)}`);
    if (shape === 'owner-time-and-status') expect(queries).toEqual([1, 1]);
    else expect(queries.reduce((sum, count) => sum + count)).toBeGreaterThan(2);
  });
});
