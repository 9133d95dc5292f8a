// `videosvc migrate sqlite-to-dynamodb`: every video copied with every field, nothing
// already in the table overwritten, counts printed, safe to re-run (SPEC §7); progress on
// stderr when it runs longer than a second (issue 12).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoVideoStore } from '../../src/adapters/dynamo/store.ts';
import { SqliteVideoStore } from '../../src/adapters/sqlite/store.ts';
import { newVideo } from '../../src/domain/new-video.ts';
import type { Video } from '../../src/domain/video.ts';
import { startDynalite, testClient, type RunningDynalite } from '../support/dynalite.ts';
import { startSlowProxy } from '../support/slow-proxy.ts';
import { baseEnv, freePort, runCli, runCliTimed, tempDir, type Env } from './cli-process.ts';

let dynamo: RunningDynalite;
let dir: ReturnType<typeof tempDir>;
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
afterEach(() => dir.remove());

function dynamoEnv(extra: Env = {}): Env {
  tableNumber += 1;
  return baseEnv(dir.path, {
    VIDEO_STORE: 'dynamodb',
    DYNAMO_TABLE: `videos-migrate-${process.pid}-${tableNumber}`,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    ...extra,
  });
}

/** A SQLite database holding `count` videos of two owners, with labels, statuses and updates. */
async function seedSqlite(path: string, count: number): Promise<Video[]> {
  const store = await SqliteVideoStore.open({ path });
  const videos: Video[] = [];
  try {
    for (let index = 0; index < count; index += 1) {
      const key = { ownerId: index % 2 === 0 ? 'alice' : 'bob', videoId: randomUUID() };
      let video = await store.create(
        newVideo(key, { originalName: `clip-${index}.mp4`, format: 'mp4', sizeBytes: 2n ** 40n + BigInt(index), labels: { batch: `b${index % 3}` } }, new Date(Date.UTC(2025, 0, 1, 0, 0, index))),
      );
      if (index % 4 === 0) {
        video = await store.update(key, { fields: { status: 'TRANSCODING', durationSeconds: 12.5 }, updateTime: new Date(Date.UTC(2025, 1, 1)) }, {});
      }
      videos.push(video);
    }
  } finally {
    await store.close();
  }
  return videos;
}

async function openTable(env: Env): Promise<DynamoVideoStore> {
  return DynamoVideoStore.open({ table: env.DYNAMO_TABLE!, ownerIndex: 'OwnerIndex', client: testClient(dynamo.endpoint) });
}

function expectOneLineFailure(result: { code: number | null; stderr: string }, pattern: RegExp): void {
  expect(result.code).toBe(1);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

describe('videosvc migrate sqlite-to-dynamodb', () => {
  it('copies every video with every field, never overwrites an existing item, and is safe to re-run', async () => {
    const sqlitePath = join(dir.path, 'old.sqlite');
    const videos = await seedSqlite(sqlitePath, 25);
    const env = dynamoEnv();
    expect((await runCli(['dynamo', 'create-table'], env, dir.path)).code).toBe(0);

    // One video is already in the table, changed: the migration must leave it alone.
    const table = await openTable(env);
    const [existing] = videos;
    const changed = { ...existing!, title: 'edited in DynamoDB' };
    await table.create(changed);

    const first = await runCli(['migrate', 'sqlite-to-dynamodb', '--sqlite', sqlitePath], env, dir.path);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe(`copied 24 videos from ${sqlitePath} to DynamoDB table ${env.DYNAMO_TABLE}; skipped 1 already there\n`);

    const stored = await Promise.all(videos.map((video) => table.get(video)));
    expect(stored[0]).toEqual(changed);
    expect(stored.slice(1)).toEqual(videos.slice(1));

    const again = await runCli(['migrate', 'sqlite-to-dynamodb', '--sqlite', sqlitePath], env, dir.path);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(`copied 0 videos from ${sqlitePath} to DynamoDB table ${env.DYNAMO_TABLE}; skipped 25 already there\n`);
    await table.close();
  });

  it('a run longer than a second reports its count and rate on stderr, at most once a second', async () => {
    const count = 160;
    const sqlitePath = join(dir.path, 'old.sqlite');
    await seedSqlite(sqlitePath, count);
    const env = dynamoEnv();
    expect((await runCli(['dynamo', 'create-table'], env, dir.path)).code).toBe(0);
    // Every byte to and from DynamoDB held back 40 ms: the copy takes seconds, with no CPU
    // spent, so the progress lines are due whatever the machine's load.
    const proxy = await startSlowProxy(Number(new URL(dynamo.endpoint).port));
    proxy.delayMs = 40;
    try {
      const started = Date.now();
      const result = await runCliTimed(['migrate', 'sqlite-to-dynamodb', '--sqlite', sqlitePath], { ...env, AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint }, dir.path);
      const tookMs = Date.now() - started;
      expect(result.code, result.stderr.map((line) => line.text).join('\n')).toBe(0);
      expect(result.stdout).toBe(`copied ${count} videos from ${sqlitePath} to DynamoDB table ${env.DYNAMO_TABLE}; skipped 0 already there\n`);
      console.log(`migrate of ${count} videos through a 40 ms proxy: ${tookMs} ms, progress lines: ${result.stderr.map((line) => `${line.atMs} ms "${line.text}"`).join('; ')}`);
      expect(tookMs).toBeGreaterThan(2_000);

      const progress = result.stderr.map((line) => ({
        atMs: line.atMs,
        match: /^migrate sqlite-to-dynamodb: (\d+) videos done \((\d+) copied, 0 already there\); (\d+) s, (\d+) videos\/s$/.exec(line.text),
      }));
      expect(progress.length).toBeGreaterThanOrEqual(1);
      for (const { match } of progress) expect(match).not.toBeNull();
      const figures = progress.map(({ match }) => ({ done: Number(match![1]), copied: Number(match![2]), seconds: Number(match![3]), rate: Number(match![4]) }));
      for (const figure of figures) {
        expect(figure.done).toBe(figure.copied);
        expect(figure.done).toBeLessThanOrEqual(count);
        // The rate is the count over the time so far.
        expect(figure.rate).toBeGreaterThanOrEqual(Math.floor(figure.done / (figure.seconds + 0.5)));
        expect(figure.rate).toBeLessThanOrEqual(Math.ceil(figure.done / (figure.seconds - 0.5)));
      }
      // One line a second by the command's own clock (1 s, 2 s, …), and never two close together on arrival.
      expect(figures.map((figure) => figure.seconds)).toEqual(figures.map((_, index) => index + 1));
      for (let index = 1; index < progress.length; index++) expect(progress[index]!.atMs - progress[index - 1]!.atMs).toBeGreaterThan(500);
      // The counts only grow.
      for (let index = 1; index < figures.length; index++) expect(figures[index]!.done).toBeGreaterThanOrEqual(figures[index - 1]!.done);
    } finally {
      await proxy.close();
    }
  });

  it('reads SQLITE_PATH when --sqlite is not given', async () => {
    const env = dynamoEnv();
    await seedSqlite(env.SQLITE_PATH!, 3);
    expect((await runCli(['dynamo', 'create-table'], env, dir.path)).code).toBe(0);
    const result = await runCli(['migrate', 'sqlite-to-dynamodb'], env, dir.path);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^copied 3 videos from .*videos\.sqlite to DynamoDB table .*; skipped 0 already there\n$/);
  });

  it('a missing database file exits 1 with one line naming it, and creates nothing', async () => {
    const missing = join(dir.path, 'nowhere.sqlite');
    const result = await runCli(['migrate', 'sqlite-to-dynamodb', '--sqlite', missing], dynamoEnv(), dir.path);
    expectOneLineFailure(result, new RegExp(`^videosvc: SQLite database ${missing} not found; pass --sqlite PATH or set SQLITE_PATH$`));
  });

  it('an unreachable table exits 1 with one line naming what to check', async () => {
    const sqlitePath = join(dir.path, 'old.sqlite');
    await seedSqlite(sqlitePath, 1);
    const port = await freePort();
    const result = await runCli(['migrate', 'sqlite-to-dynamodb', '--sqlite', sqlitePath], dynamoEnv({ AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}` }), dir.path);
    expectOneLineFailure(result, new RegExp(`^videosvc: DynamoDB at http://127\\.0\\.0\\.1:${port} is unreachable; check AWS_REGION and AWS_ENDPOINT_URL_DYNAMODB$`));
  });
});
