// Issue 5: two `videosvc serve` processes (replicas) on one DynamoDB table race to claim
// the same video UPLOADED → TRANSCODING with the etag both read. The conditional write
// in the store decides: exactly one wins, the other gets ABORTED (SPEC §2).
import { Code, ConnectError } from '@connectrpc/connect';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../src/adapters/token/mint.ts';
import { VideoStatus } from '../../src/gen/video/v1/video_pb.ts';
import { createVideosTable, startDynalite, testClient, type RunningDynalite } from '../support/dynalite.ts';
import { killServe, startServe, tempDir, testSecret, videoClient, type ServeProcess } from './cli-process.ts';
import { dynamoServeEnv } from './service-env.ts';

const names = { table: 'videos-replicas', ownerIndex: 'OwnerIndex' };
let dynamo: RunningDynalite;
let dir: ReturnType<typeof tempDir>;
let replicas: ServeProcess[] = [];

beforeAll(async () => {
  dynamo = await startDynalite();
  dir = tempDir();
  const client = testClient(dynamo.endpoint);
  await createVideosTable(client, names, 'owner-time');
  client.destroy();
  const env = dynamoServeEnv(dir.path, dynamo.endpoint, { DYNAMO_TABLE: names.table, JWT_SECRET: testSecret });
  // Started one after the other: two cold tsx start-ups at once crawl on a small machine.
  for (let i = 0; i < 2; i++) replicas.push(await startServe(env, dir.path));
}, 60_000);

afterAll(async () => {
  await Promise.all(replicas.map((replica) => killServe(replica)));
  replicas = [];
  await dynamo?.stop();
  dir?.remove();
});

describe('two service processes on one DynamoDB table', () => {
  it('racing to claim one video with the same etag, exactly one wins and the other is ABORTED', async () => {
    const token = await mintToken({ secret: new TextEncoder().encode(testSecret), subject: 'worker', admin: true, ttlSeconds: 600 });
    const clients = replicas.map((replica) => videoClient(replica.url, token));
    const [first, second] = clients;
    // Several rounds, each on a fresh video, so a lucky interleaving cannot pass alone.
    for (let round = 0; round < 5; round++) {
      const created = (await first!.createVideo({ video: { ownerId: 'alice', originalName: `race-${round}.mp4` } })).video!;
      // Each replica reads the video first: that is the etag a worker claims with, and it
      // also opens both HTTP/2 connections before the race starts.
      const seen = await Promise.all(clients.map((client) => client.getVideo({ ownerId: 'alice', videoId: created.videoId })));
      expect(seen.map((response) => response.video?.etag)).toEqual([created.etag, created.etag]);

      let release!: () => void;
      const startSignal = new Promise<void>((resolve) => (release = resolve));
      const claims = clients.map(async (client, index) => {
        await startSignal;
        return client.updateVideo({
          video: { ownerId: 'alice', videoId: created.videoId, etag: created.etag, status: VideoStatus.TRANSCODING, labels: { worker: String(index) } },
          updateMask: { paths: ['status', 'labels'] },
        });
      });
      release();
      const outcomes = await Promise.allSettled(claims);

      const winners = outcomes.flatMap((outcome, index) => (outcome.status === 'fulfilled' ? [index] : []));
      expect(winners, `round ${round}`).toHaveLength(1);
      const loser = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
      expect(ConnectError.from(loser.reason).code).toBe(Code.Aborted);

      // Both replicas now read the winner's claim, written once.
      for (const client of clients) {
        const stored = (await client.getVideo({ ownerId: 'alice', videoId: created.videoId })).video!;
        expect(stored.status).toBe(VideoStatus.TRANSCODING);
        expect(stored.labels).toEqual({ worker: String(winners[0]) });
        expect(stored.etag).toBe('v2');
      }
    }
  });
});
