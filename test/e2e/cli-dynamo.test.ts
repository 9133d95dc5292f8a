// The CLI over DynamoDB (dynalite on loopback): `dynamo create-table`, `serve` with
// VIDEO_STORE=dynamodb, and the start-up lines for a missing table and an old-style index.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mintToken } from '../../src/adapters/token/mint.ts';
import { createVideosTable, startDynalite, testClient, type RunningDynalite } from '../support/dynalite.ts';
import {
  baseEnv,
  freePort,
  killServe,
  runCli,
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
    expect(created.stdout).toBe(`table ${env.DYNAMO_TABLE} created; owner index OwnerIndex lists by createdAt (one query per page)\n`);
    const again = await runCli(['dynamo', 'create-table'], env, dir.path);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^table ${env.DYNAMO_TABLE} already exists;`));

    serve = await startServe(env, dir.path);
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

  it('an owner index without a sort key still serves, with one warning naming `videosvc dynamo create-index`', async () => {
    const env = dynamoEnv();
    await createVideosTable(testClient(dynamo.endpoint), { table: env.DYNAMO_TABLE!, ownerIndex: 'OwnerIndex' }, 'owner-only');
    serve = await startServe(env, dir.path);
    const warnings = serve.logs.filter((line) => line.level === 40);
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]?.msg)).toContain('videosvc dynamo create-index');
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
});
