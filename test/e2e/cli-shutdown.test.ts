// SPEC §6: SIGTERM during a burst of writes drains in-flight calls and exits 0; every call
// either succeeds or fails with a retryable code, and nothing acknowledged is lost.
import { randomUUID } from 'node:crypto';
import { Code, ConnectError } from '@connectrpc/connect';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mintToken } from '../../src/adapters/token/mint.ts';
import { isRefusedStream } from '../../src/client.ts';
import {
  baseEnv,
  killServe,
  startServe,
  tempDir,
  testSecret,
  videoClient,
  type ServeProcess,
} from './cli-process.ts';

// Codes a careful client retries: the service went away (Unavailable), or the connection
// closed before the request was sent (Canceled).
const retryable = new Set([Code.Unavailable, Code.Canceled]);

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

function token(): Promise<string> {
  return mintToken({ secret: new TextEncoder().encode(testSecret), subject: 'alice', ttlSeconds: 600 });
}

async function storedIds(ids: readonly string[]): Promise<Set<string>> {
  const client = videoClient(serve!.url, await token());
  const found = new Set<string>();
  for (let start = 0; start < ids.length; start += 100) {
    const batch = await client.batchGetVideos({ videoIds: ids.slice(start, start + 100) });
    for (const video of batch.videos) found.add(video.videoId);
  }
  return found;
}

describe('videosvc serve on SIGTERM', () => {
  it('drains a burst of creates: each one succeeds or fails retryably, every acknowledged one survives, exit 0', async () => {
    const env = baseEnv(dir.path, { JWT_SECRET: testSecret });
    serve = await startServe(env, dir.path);
    const client = videoClient(serve.url, await token());

    const ids = Array.from({ length: 200 }, () => randomUUID());
    const acknowledged: string[] = [];
    const failures: Array<{ id: string; code: Code; message: string }> = [];
    const refused: string[] = [];
    let signal: (() => void) | undefined;
    const signalled = new Promise<void>((resolveSignal) => (signal = resolveSignal));
    const create = async (id: string, index: number) => {
      try {
        const response = await client.createVideo({ videoId: id, video: { originalName: `clip-${index}.mp4` } });
        expect(response.video?.videoId).toBe(id);
        acknowledged.push(id);
        if (acknowledged.length === 40) {
          serve!.child.kill('SIGTERM');
          signal?.();
        }
      } catch (error) {
        const connectError = ConnectError.from(error);
        // The client reports a refused stream as Unavailable; such a call never reached a
        // handler, which is checked after the restart below.
        if (isRefusedStream(connectError)) {
          expect(connectError.code).toBe(Code.Unavailable);
          refused.push(id);
        }
        else failures.push({ id, code: connectError.code, message: connectError.rawMessage });
      }
    };
    // A burst of 100 at once; SIGTERM goes out when the 40th is acknowledged, with the
    // rest in flight. Then the other 100 start one by one while the service stops, and
    // after it has gone.
    const burst = ids.slice(0, 100).map((id, index) => create(id, index));
    await signalled;
    const late: Array<Promise<void>> = [];
    for (const [offset, id] of ids.slice(100).entries()) {
      late.push(create(id, 100 + offset));
      await new Promise((wait) => setTimeout(wait, 5));
    }
    await Promise.all([...burst, ...late]);
    const exit = await serve.exited;

    expect(exit).toEqual({ code: 0, signal: null });
    expect(acknowledged.length + refused.length + failures.length).toBe(ids.length);
    for (const failure of failures) {
      expect(retryable.has(failure.code), `${failure.id}: ${Code[failure.code]} ${failure.message}`).toBe(true);
    }
    expect(serve.logs.some((line) => line.msg === 'stopped')).toBe(true);

    serve = await startServe(env, dir.path);
    const stored = await storedIds(ids);
    const lost = acknowledged.filter((id) => !stored.has(id));
    expect(lost).toEqual([]);
    // A refused stream never reached a handler, so retrying it cannot create a duplicate.
    expect(refused.filter((id) => stored.has(id))).toEqual([]);
    expect(acknowledged.length).toBeGreaterThanOrEqual(40);
    // The calls after the signal really met a stopping (or stopped) service.
    expect(failures.length + refused.length).toBeGreaterThan(0);
  });

  it('SIGINT stops an idle service with exit 0', async () => {
    serve = await startServe(baseEnv(dir.path, { JWT_SECRET: testSecret }), dir.path);
    serve.child.kill('SIGINT');
    expect(await serve.exited).toEqual({ code: 0, signal: null });
  });
});
