// SPEC §6: on SQLite a write is acknowledged only once its commit is durable, so killing
// the process outright right after the last acknowledgement loses none of them.
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
});
