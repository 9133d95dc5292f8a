// The CLI over DynamoDB (dynalite on loopback): `dynamo create-table`, `create-index
// --status`, `backfill-status`, `backfill-work` (and its progress lines), `serve` with
// VIDEO_STORE=dynamodb, and the start-up lines for a missing table and for old-style or
// missing indexes.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mintToken } from '../../src/adapters/token/mint.ts';
import { BatchWriteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { Code, ConnectError } from '@connectrpc/connect';
import { VideoStatus } from '../../src/gen/video/v1/video_pb.ts';
import { createVideosTable, startDynalite, testClient, type RunningDynalite } from '../support/dynalite.ts';
import { startIndexProxy } from '../support/index-proxy.ts';
import { startSlowProxy } from '../support/slow-proxy.ts';
import {
  baseEnv,
  freePort,
  killServe,
  runCli,
  runCliTimed,
  startServe,
  tempDir,
  testSecret,
  videoClient,
  type Env,
  type ServeProcess,
} from './cli-process.ts';

let dynamo: RunningDynalite;
let dir: ReturnType<typeof tempDir>;
let serve: ServeProcess | undefined;
let tableNumber = 0;

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});
beforeEach(() => {
  dir = tempDir();
});
afterEach(async () => {
  await killServe(serve);
  serve = undefined;
  dir.remove();
});

/** A DynamoDB environment on a table name no other test uses. */
function dynamoEnv(extra: Env = {}): Env {
  tableNumber += 1;
  return baseEnv(dir.path, {
    VIDEO_STORE: 'dynamodb',
    DYNAMO_TABLE: `videos-cli-${process.pid}-${tableNumber}`,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    JWT_SECRET: testSecret,
    ...extra,
  });
}

function token(subject: string): Promise<string> {
  return mintToken({ secret: new TextEncoder().encode(testSecret), subject, ttlSeconds: 600 });
}

describe('videosvc over DynamoDB', () => {
  it('serve refuses a missing table in one line naming `videosvc dynamo create-table`', async () => {
    const env = dynamoEnv();
    const result = await runCli(['serve'], env, dir.path);
    expect(result.code).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^videosvc: DynamoDB table "${env.DYNAMO_TABLE}" not found at .*videosvc dynamo create-table`));
    expect(result.stdout).not.toContain('"listening"');
  });

  it('dynamo create-table creates the table once, is idempotent, and serve then stores and lists videos', async () => {
    const env = dynamoEnv();
    const created = await runCli(['dynamo', 'create-table'], env, dir.path);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toBe(
      `table ${env.DYNAMO_TABLE} created; owner index OwnerIndex lists by createdAt (one query per page)\n` +
        'owner-and-status index OwnerStatusIndex lists by status (one query per filtered page)\n' +
        'work index WorkIndex hands out claims (ClaimVideo)\n',
    );
    const again = await runCli(['dynamo', 'create-table'], env, dir.path);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^table ${env.DYNAMO_TABLE} already exists;`));

    serve = await startServe(env, dir.path);
    expect(serve.logs.filter((line) => line.level === 40)).toEqual([]);
    expect(serve.logs.find((line) => line.msg === 'listening')?.store).toEqual({
      kind: 'dynamodb',
      table: env.DYNAMO_TABLE,
      ownerIndex: 'OwnerIndex',
      listMode: 'owner-time-index',
    });
    const client = videoClient(serve.url, await token('alice'));
    const first = await client.createVideo({ video: { originalName: 'one.mp4' } });
    const second = await client.createVideo({ video: { originalName: 'two.mp4' } });
    const listed = await client.listVideos({});
    expect(listed.videos.map((video) => video.videoId)).toEqual([second.video?.videoId, first.video?.videoId]);
  });

  it('an owner index without a sort key still serves, with one warning naming `videosvc dynamo create-index` (and one naming --status)', async () => {
    const env = dynamoEnv();
    await createVideosTable(testClient(dynamo.endpoint), { table: env.DYNAMO_TABLE!, ownerIndex: 'OwnerIndex' }, 'owner-only');
    serve = await startServe(env, dir.path);
    const warnings = serve.logs.filter((line) => line.level === 40);
    expect(warnings).toHaveLength(2);
    expect(String(warnings[0]?.msg)).toContain('videosvc dynamo create-index`');
    expect(String(warnings[1]?.msg)).toContain('videosvc dynamo create-index --status`');
    expect(serve.logs.find((line) => line.msg === 'listening')?.store).toMatchObject({ listMode: 'owner-partition' });
    const created = await videoClient(serve.url, await token('bob')).createVideo({ video: { originalName: 'b.mp4' } });
    expect(created.video?.ownerId).toBe('bob');
  });

  it('dynamo create-table against an unreachable endpoint fails in one line naming it', async () => {
    const port = await freePort();
    const result = await runCli(['dynamo', 'create-table'], dynamoEnv({ AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}` }), dir.path);
    expect(result.code).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^videosvc: cannot create table .* in DynamoDB at http://127\\.0\\.0\\.1:${port}.*ECONNREFUSED`));
  });

  it('create-index --status and backfill-status move an older table\'s filtered lists to the index, every older video kept', async () => {
    const proxy = await startIndexProxy(dynamo.endpoint);
    try {
      const env = dynamoEnv({ AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint });
      const admin = testClient(proxy.endpoint);
      await createVideosTable(admin, { table: env.DYNAMO_TABLE!, ownerIndex: 'OwnerIndex' }, 'owner-time');
      // A video the older application wrote: a status spelled its own way, no index key.
      const olderId = '0b9b6f2e-3c1d-4e5f-8a7b-9c0d1e2f3a4b';
      await admin.send(
        new PutItemCommand({
          TableName: env.DYNAMO_TABLE,
          Item: { ownerId: { S: 'carol' }, videoId: { S: olderId }, originalName: { S: 'old.mov' }, status: { S: 'Uploaded' }, createdAt: { S: '2023-01-01T00:00:00.000Z' } },
        }),
      );
      admin.destroy();

      const requested = await runCli(['dynamo', 'create-index', '--status'], env, dir.path);
      expect(requested.code, requested.stderr).toBe(0);
      const next = 'next: run `videosvc dynamo backfill-status` (items written before the index lack its key), then restart the service once the index is ACTIVE\n';
      expect(requested.stdout).toBe(`index OwnerStatusIndex on table ${env.DYNAMO_TABLE} requested; status CREATING\n${next}`);
      const again = await runCli(['dynamo', 'create-index', '--status'], env, dir.path);
      expect(again.stdout).toBe(`index OwnerStatusIndex on table ${env.DYNAMO_TABLE} already exists; status CREATING\n${next}`);
      expect(proxy.indexRequests).toHaveLength(1);

      proxy.activate();
      serve = await startServe(env, dir.path);
      const warnings = serve.logs.filter((line) => line.level === 40).map((line) => String(line.msg));
      expect(warnings).toEqual([expect.stringContaining('run `videosvc dynamo backfill-status` and restart')]);
      const client = videoClient(serve.url, await token('carol'));
      const newer = (await client.createVideo({ video: { originalName: 'new.mp4' } })).video!;
      const uploaded = async () => (await client.listVideos({ status: VideoStatus.UPLOADED })).videos.map((video) => video.videoId);
      expect(await uploaded()).toEqual([newer.videoId, olderId]);
      await killServe(serve);

      const backfilled = await runCli(['dynamo', 'backfill-status'], env, dir.path);
      expect(backfilled.code, backfilled.stderr).toBe(0);
      expect(backfilled.stdout).toBe(
        `backfilled 1 of 2 videos in table ${env.DYNAMO_TABLE}\n` +
          'next: restart the service once index OwnerStatusIndex is ACTIVE; status-filtered lists then use it\n',
      );
      // Nothing but progress lines, and those only if the run took over a second.
      expect(backfilled.stderr).toMatch(/^(backfill-status: \d+ videos read, \d+ keys written; \d+ s, \d+ videos\/s\n)*$/);

      serve = await startServe(env, dir.path);
      expect(serve.logs.filter((line) => line.level === 40)).toEqual([]);
      expect(await (async () => (await videoClient(serve.url, await token('carol')).listVideos({ status: VideoStatus.UPLOADED })).videos.map((video) => video.videoId))()).toEqual([
        newer.videoId,
        olderId,
      ]);
    } finally {
      await killServe(serve);
      serve = undefined;
      await proxy.close();
    }
  });

  it('backfill-work longer than a second reports its count and rate on stderr, at most once a second, within one Scan page', async () => {
    const env = dynamoEnv();
    const admin = testClient(dynamo.endpoint);
    await createVideosTable(admin, { table: env.DYNAMO_TABLE!, ownerIndex: 'OwnerIndex' }, 'owner-time', { workIndex: false });
    // The older application's uploaded videos: no index attributes, so each needs a write.
    const count = 240;
    const ids = Array.from({ length: count }, (_, index) => `${index.toString(16).padStart(8, '0')}-3c1d-4e5f-8a7b-9c0d1e2f3a4b`);
    for (let start = 0; start < count; start += 25) {
      await admin.send(
        new BatchWriteItemCommand({
          RequestItems: {
            [env.DYNAMO_TABLE!]: ids.slice(start, start + 25).map((id) => ({
              PutRequest: { Item: { ownerId: { S: 'dora' }, videoId: { S: id }, originalName: { S: 'old.mov' }, status: { S: 'uploaded' }, createdAt: { S: '2023-01-01T00:00:00.000Z' } } },
            })),
          },
        }),
      );
    }
    admin.destroy();
    // Every byte to and from DynamoDB held back 40 ms: seconds of run time, no CPU spent.
    const proxy = await startSlowProxy(Number(new URL(dynamo.endpoint).port));
    proxy.delayMs = 40;
    try {
      const result = await runCliTimed(['dynamo', 'backfill-work'], { ...env, AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint }, dir.path);
      expect(result.code, result.stderr.map((line) => line.text).join('\n')).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^backfilled work index attributes of ${count} of ${count} videos in table ${env.DYNAMO_TABLE}\n`));
      const lines = result.stderr.map((line) => ({ atMs: line.atMs, match: /^backfill-work: (\d+) videos read, (\d+) updated; (\d+) s, (\d+) videos\/s$/.exec(line.text) }));
      expect(lines.length).toBeGreaterThanOrEqual(1);
      for (const line of lines) expect(line.match, JSON.stringify(result.stderr)).not.toBeNull();
      const figures = lines.map(({ match }) => ({ read: Number(match![1]), updated: Number(match![2]), seconds: Number(match![3]), rate: Number(match![4]) }));
      expect(figures.map((figure) => figure.seconds)).toEqual(figures.map((_, index) => index + 1));
      for (let index = 1; index < lines.length; index++) expect(lines[index]!.atMs - lines[index - 1]!.atMs).toBeGreaterThan(500);
      for (const figure of figures) {
        // All of them sit in one Scan page: the count moves within it, as each write finishes.
        expect(figure.read).toBeGreaterThan(0);
        expect(figure.read).toBeLessThan(count);
        expect(figure.updated).toBe(figure.read);
        expect(figure.rate).toBeGreaterThanOrEqual(Math.floor(figure.read / (figure.seconds + 0.5)));
        expect(figure.rate).toBeLessThanOrEqual(Math.ceil(figure.read / (figure.seconds - 0.5)));
      }
    } finally {
      await proxy.close();
    }
  });

  it('create-index --work and backfill-work make an older table\'s uploaded videos claimable, oldest first', async () => {
    const proxy = await startIndexProxy(dynamo.endpoint);
    try {
      const env = dynamoEnv({ AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint });
      const admin = testClient(proxy.endpoint);
      await createVideosTable(admin, { table: env.DYNAMO_TABLE!, ownerIndex: 'OwnerIndex' }, 'owner-time', { workIndex: false });
      // Videos the older application wrote: its own status spelling, no version, no index keys.
      const older = [
        { id: '0b9b6f2e-3c1d-4e5f-8a7b-9c0d1e2f3a4b', status: 'uploaded', at: '2023-01-02T00:00:00.000Z' },
        { id: '1b9b6f2e-3c1d-4e5f-8a7b-9c0d1e2f3a4b', status: 'uploaded', at: '2023-01-01T00:00:00.000Z' },
        { id: '2b9b6f2e-3c1d-4e5f-8a7b-9c0d1e2f3a4b', status: 'completed', at: '2022-12-31T00:00:00.000Z' },
      ];
      for (const video of older) {
        await admin.send(
          new PutItemCommand({
            TableName: env.DYNAMO_TABLE,
            Item: { ownerId: { S: 'carol' }, videoId: { S: video.id }, originalName: { S: 'old.mov' }, status: { S: video.status }, createdAt: { S: video.at }, updatedAt: { S: video.at } },
          }),
        );
      }
      admin.destroy();
      const workerToken = await mintToken({ secret: new TextEncoder().encode(testSecret), subject: 'transcoder', admin: true, ttlSeconds: 600 });

      // Without the index: serve starts, warns once naming the command, and ClaimVideo says what to run.
      serve = await startServe(env, dir.path);
      const warnings = serve.logs.filter((line) => line.level === 40).map((line) => String(line.msg));
      // (An older table lacks the owner-and-status index too: that warning is the other test's.)
      expect(warnings.filter((warning) => warning.includes('work index'))).toEqual([expect.stringContaining('run `videosvc dynamo create-index --work`')]);
      const refused = await videoClient(serve.url, workerToken).claimVideo({ workerId: 'w-1' }).catch((error: unknown) => ConnectError.from(error));
      expect(refused).toBeInstanceOf(ConnectError);
      expect([(refused as ConnectError).code, (refused as ConnectError).rawMessage]).toEqual([Code.FailedPrecondition, expect.stringContaining('videosvc dynamo create-index --work')]);
      await killServe(serve);

      const requested = await runCli(['dynamo', 'create-index', '--work'], env, dir.path);
      expect(requested.code, requested.stderr).toBe(0);
      expect(requested.stdout).toMatch(new RegExp(`^index WorkIndex on table ${env.DYNAMO_TABLE} requested; status CREATING\nnext: run \`videosvc dynamo backfill-work\``));
      const again = await runCli(['dynamo', 'create-index', '--work'], env, dir.path);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/already exists/);
      expect(proxy.indexRequests).toHaveLength(1);
      proxy.activate();

      const backfilled = await runCli(['dynamo', 'backfill-work'], env, dir.path);
      expect(backfilled.code, backfilled.stderr).toBe(0);
      expect(backfilled.stdout).toMatch(new RegExp(`^backfilled work index attributes of 2 of 3 videos in table ${env.DYNAMO_TABLE}\n`));
      const rerun = await runCli(['dynamo', 'backfill-work'], env, dir.path);
      expect(rerun.stdout).toMatch(/^backfilled work index attributes of 0 of 3 videos/);

      serve = await startServe(env, dir.path);
      expect(serve.logs.filter((line) => line.level === 40 && String(line.msg).includes('work index'))).toEqual([]);
      const worker = videoClient(serve.url, workerToken);
      const claimed = [];
      for (let i = 0; i < 3; i++) claimed.push((await worker.claimVideo({ workerId: 'w-1' })).video?.videoId);
      expect(claimed).toEqual([older[1]!.id, older[0]!.id, undefined]);
    } finally {
      await killServe(serve);
      serve = undefined;
      await proxy.close();
    }
  });

  it('--help names create-index --status and backfill-status; --status belongs to create-index alone', async () => {
    const help = await runCli(['dynamo', '--help'], dynamoEnv(), dir.path);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('videosvc dynamo create-index --status');
    expect(help.stdout).toContain('videosvc dynamo backfill-status');
    const misplaced = await runCli(['dynamo', 'create-table', '--status'], dynamoEnv(), dir.path);
    expect([misplaced.code, misplaced.stderr.trim()]).toEqual([2, expect.stringContaining('--status applies to create-index')]);
  });
});
