// SPEC §6: on SQLite a write is acknowledged only once its commit is durable, so killing
// the process outright right after the last acknowledgement loses none of them, nor does
// killing it in the middle of a burst whose writes share commits (group commit).
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mintToken } from '../../src/adapters/token/mint.ts';
import {
  baseEnv,
  killServe,
  startServe,
  tempDir,
  testSecret,
  videoClient,
  type ServeProcess,
} from './cli-process.ts';

let dir: ReturnType<typeof tempDir>;
let serve: ServeProcess | undefined;
beforeEach(() => {
  dir = tempDir();
});
afterEach(async () => {
  await killServe(serve);
  serve = undefined;
  dir.remove();
});

describe('videosvc serve durability', () => {
  for (const synchronous of ['FULL', 'NORMAL'] as const) {
    it(`50 acknowledged creates survive kill -9 right after the last one (SQLITE_SYNCHRONOUS=${synchronous})`, async () => {
      const env = baseEnv(dir.path, { JWT_SECRET: testSecret, SQLITE_SYNCHRONOUS: synchronous });
      const token = await mintToken({ secret: new TextEncoder().encode(testSecret), subject: 'alice', ttlSeconds: 600 });
      serve = await startServe(env, dir.path);
      expect(serve.logs.find((line) => line.msg === 'listening')?.store).toMatchObject({ kind: 'sqlite', journalMode: 'wal', synchronous });

      const client = videoClient(serve.url, token);
      const ids = Array.from({ length: 50 }, () => randomUUID());
      // Several in flight at once, as real clients would; each counts once acknowledged.
      await Promise.all(ids.map((id, index) => client.createVideo({ videoId: id, video: { originalName: `take-${index}.mp4`, labels: { take: `t${index}` } } })));
      serve.child.kill('SIGKILL');
      expect((await serve.exited).signal).toBe('SIGKILL');

      serve = await startServe(env, dir.path);
      const found = await videoClient(serve.url, token).batchGetVideos({ videoIds: ids });
      expect(found.missingVideoIds).toEqual([]);
      expect(found.videos.map((video) => video.videoId)).toEqual(ids);
      expect(found.videos.map((video) => video.labels.take)).toEqual(ids.map((_, index) => `t${index}`));
    });
  }

  it('kill -9 in the middle of a burst of grouped creates (64 in flight) loses no acknowledged create', async () => {
    const env = baseEnv(dir.path, { JWT_SECRET: testSecret });
    const token = await mintToken({ secret: new TextEncoder().encode(testSecret), subject: 'alice', ttlSeconds: 600 });
    serve = await startServe(env, dir.path);
    const running = serve;
    const client = videoClient(running.url, token);
    const acknowledged: string[] = [];
    let failedInFlight = 0;
    let killed = false;
    // 64 callers create one video after another; the 400th acknowledgement kills the
    // service at once, with the others' creates queued, grouped or committing.
    const caller = async (): Promise<void> => {
      while (!killed) {
        const id = randomUUID();
        try {
          await client.createVideo({ videoId: id, video: { originalName: `${id}.mp4` } });
        } catch {
          failedInFlight += 1;
          return;
        }
        if (killed) continue;
        acknowledged.push(id);
        if (acknowledged.length === 400) {
          killed = true;
          running.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 64 }, caller));
    expect((await running.exited).signal).toBe('SIGKILL');
    expect(acknowledged).toHaveLength(400);
    // The kill met writes in flight: the burst really was cut in the middle.
    expect(failedInFlight).toBeGreaterThan(0);

    serve = await startServe(env, dir.path);
    const restarted = videoClient(serve.url, token);
    const missing: string[] = [];
    for (let start = 0; start < acknowledged.length; start += 100) {
      const found = await restarted.batchGetVideos({ videoIds: acknowledged.slice(start, start + 100) });
      missing.push(...found.missingVideoIds);
    }
    expect(missing).toEqual([]);
  });
});
