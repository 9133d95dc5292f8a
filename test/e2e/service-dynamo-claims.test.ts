// Work claiming across replicas (SPEC §9): two `videosvc serve` processes on one DynamoDB
// table (dynalite, the table made by `videosvc dynamo create-table`), behind a recording
// proxy so the test sees every request the replicas send.
import { Code, ConnectError } from '@connectrpc/connect';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../src/adapters/token/mint.ts';
import { startDynalite, type RunningDynalite } from '../support/dynalite.ts';
import { startIndexProxy, type IndexProxy } from '../support/index-proxy.ts';
import { killServe, runCli, startServe, tempDir, testSecret, videoClient, type ServeProcess } from './cli-process.ts';
import { dynamoServeEnv } from './service-env.ts';

const table = 'videos-claims';
let dynamo: RunningDynalite;
let proxy: IndexProxy;
let dir: ReturnType<typeof tempDir>;
let replicas: ServeProcess[] = [];
let adminToken: string;
let userToken: string;

beforeAll(async () => {
  dynamo = await startDynalite();
  proxy = await startIndexProxy(dynamo.endpoint);
  dir = tempDir();
  const env = dynamoServeEnv(dir.path, proxy.endpoint, { DYNAMO_TABLE: table, JWT_SECRET: testSecret });
  const created = await runCli(['dynamo', 'create-table'], env, dir.path);
  expect(created.code, created.stderr).toBe(0);
  // Started one after the other: two cold start-ups at once crawl on a small machine.
  for (let i = 0; i < 2; i++) replicas.push(await startServe(env, dir.path));
  const secret = new TextEncoder().encode(testSecret);
  adminToken = await mintToken({ secret, subject: 'transcoder', admin: true, ttlSeconds: 600 });
  userToken = await mintToken({ secret, subject: 'uploader', ttlSeconds: 600 });
}, 90_000);

afterAll(async () => {
  await Promise.all(replicas.map((replica) => killServe(replica)));
  replicas = [];
  await proxy?.close();
  await dynamo?.stop();
  dir?.remove();
});

const count = (operation: string) => proxy.operations.filter((name) => name === operation).length;

describe('two service processes on one DynamoDB table', () => {
  it('32 workers across both replicas claim 500 videos: each exactly once, then nothing is left', async () => {
    const uploader = videoClient(replicas[0]!.url, userToken);
    const created: string[] = [];
    for (let start = 0; start < 500; start += 50) {
      const batch = await Promise.all(
        Array.from({ length: 50 }, (_, i) => uploader.createVideo({ video: { originalName: `clip-${start + i}.mov` } })),
      );
      created.push(...batch.map((answer) => answer.video!.videoId));
    }
    const clients = replicas.map((replica) => videoClient(replica.url, adminToken));
    proxy.operations.length = 0;
    const history: Array<{ workerId: string; videoId: string; etag: string; holder: string | undefined }> = [];
    await Promise.all(
      Array.from({ length: 32 }, async (_, worker) => {
        const workerId = `worker-${worker}`;
        const client = clients[worker % 2]!;
        for (;;) {
          const video = (await client.claimVideo({ workerId, leaseDuration: { seconds: 600n } })).video;
          if (video === undefined) return;
          history.push({ workerId, videoId: video.videoId, etag: video.etag, holder: video.claim?.workerId });
        }
      }),
    );
    const claimed = history.map((entry) => entry.videoId);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.toSorted()).toEqual(created.toSorted());
    for (const entry of history) expect(entry.holder).toBe(entry.workerId);
    // The table agrees with what each worker was told.
    for (const entry of history.slice(0, 100)) {
      const stored = (await clients[0]!.getVideo({ ownerId: 'uploader', videoId: entry.videoId })).video!;
      expect({ worker: stored.claim?.workerId, etag: stored.etag, attempts: stored.attemptCount }).toEqual({ worker: entry.workerId, etag: entry.etag, attempts: 1 });
    }
    expect(count('Scan')).toBe(0);
    console.log(`claims: 500 granted with ${count('UpdateItem')} UpdateItem and ${count('Query')} Query requests across two replicas and 32 workers`);

    // A renewal is one UpdateItem; a finish with the claim's etag ends it.
    const first = history[0]!;
    proxy.operations.length = 0;
    const renewed = (await clients[1]!.renewClaim({ ownerId: 'uploader', videoId: first.videoId, workerId: first.workerId, leaseDuration: { seconds: 60n } })).video!;
    expect(proxy.operations.filter((name) => name !== 'GetItem')).toEqual(['UpdateItem']);
    const other = await clients[1]!.renewClaim({ ownerId: 'uploader', videoId: first.videoId, workerId: 'worker-x' }).catch((error: unknown) => ConnectError.from(error));
    expect(other).toBeInstanceOf(ConnectError);
    expect((other as ConnectError).code).toBe(Code.FailedPrecondition);
    const stale = await clients[0]!
      .updateVideo({ video: { ownerId: 'uploader', videoId: first.videoId, etag: first.etag, status: 3 }, updateMask: { paths: ['status'] } })
      .catch((error: unknown) => ConnectError.from(error));
    expect((stale as ConnectError).code).toBe(Code.Aborted);
    const finished = (await clients[0]!.updateVideo({ video: { ownerId: 'uploader', videoId: first.videoId, etag: renewed.etag, status: 3 }, updateMask: { paths: ['status'] } })).video!;
    expect(finished.claim).toBeUndefined();
  }, 120_000);

  it('50 calls waiting across both replicas cost one poll per second per replica; a create wakes its own replica at once', async () => {
    const clients = replicas.map((replica) => videoClient(replica.url, adminToken));
    const uploader = replicas.map((replica) => videoClient(replica.url, userToken));
    // Nothing is claimable now (the first test claimed everything with 10-minute leases).
    expect((await clients[0]!.claimVideo({ workerId: 'probe' })).video).toBeUndefined();
    proxy.operations.length = 0;
    const waitSeconds = 3;
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => clients[i % 2]!.claimVideo({ workerId: `waiter-${i}`, waitDuration: { seconds: BigInt(waitSeconds) } })),
    );
    const elapsedMs = performance.now() - started;
    expect(answers.every((answer) => answer.video === undefined)).toBe(true);
    expect(elapsedMs).toBeGreaterThan(waitSeconds * 1000 - 100);
    // A poll that finds nothing reads each of the 16 shards once, and writes nothing.
    const queries = count('Query');
    expect(count('UpdateItem') + count('Scan')).toBe(0);
    expect(queries % 16).toBe(0);
    const polls = queries / 16;
    console.log(`long poll: 50 calls waiting ${waitSeconds} s on 2 replicas cost ${polls} polls (${queries} Queries) in ${Math.round(elapsedMs)} ms`);
    // At most one at the start and one a second after, per replica (50 callers polling alone: 50 × 4).
    expect(polls).toBeGreaterThanOrEqual(2 * (waitSeconds - 1));
    expect(polls).toBeLessThanOrEqual(2 * (waitSeconds + 1));

    // Woken at once by a create through the same replica; found by the next poll through the other.
    const sameReplica = clients[0]!.claimVideo({ workerId: 'woken', waitDuration: { seconds: 10n } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const wokenAt = performance.now();
    const local = (await uploader[0]!.createVideo({ video: { originalName: 'wake.mov' } })).video!;
    expect((await sameReplica).video?.videoId).toBe(local.videoId);
    expect(performance.now() - wokenAt).toBeLessThan(500);
    const otherReplica = clients[0]!.claimVideo({ workerId: 'polled', waitDuration: { seconds: 10n } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const createdAt = performance.now();
    const remote = (await uploader[1]!.createVideo({ video: { originalName: 'elsewhere.mov' } })).video!;
    expect((await otherReplica).video?.videoId).toBe(remote.videoId);
    expect(performance.now() - createdAt).toBeLessThan(2_000);
  }, 60_000);
});
