// Deadlines reach the store (SPEC §6): DEADLINE_EXCEEDED at the client's deadline, logged
// as such, never a late OK, even when a synchronous SQLite read outlasts the deadline;
// a store call that outlasts limits.storeTimeoutMs with no (or a later) client deadline
// is UNAVAILABLE.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Code, ConnectError, createClient, createRouterTransport, type Interceptor } from '@connectrpc/connect';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { principalKey } from '../../src/adapters/rpc/auth.ts';
import { deadlineInterceptor } from '../../src/adapters/rpc/call-guards.ts';
import { errorInterceptor } from '../../src/adapters/rpc/errors.ts';
import { Claims } from '../../src/app/claims.ts';
import { videoServiceHandlers } from '../../src/adapters/rpc/video-service.ts';
import { SqliteVideoStore } from '../../src/adapters/sqlite/store.ts';
import { systemClock } from '../../src/adapters/system/clock.ts';
import { uuidV7Ids } from '../../src/adapters/system/ids.ts';
import { principalOf } from '../../src/app/principal.ts';
import { Videos } from '../../src/app/videos.ts';
import { VideoService } from '../../src/gen/video/v1/video_service_pb.ts';
import { videoClient } from './cli-process.ts';
import { startTestService, type TestService } from '../support/rpc-service.ts';

function codeOf(error: unknown): Code {
  return ConnectError.from(error).code;
}

describe('a client deadline shorter than a synchronous SQLite read', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('a 1 ms deadline on a 1 000-video list is DEADLINE_EXCEEDED from the server and logged as deadline_exceeded', async () => {
    const client = videoClient(service.url, await service.mint('many'));
    for (let batch = 0; batch < 50; batch++) {
      await Promise.all(Array.from({ length: 20 }, (_, i) => client.createVideo({ video: { originalName: `v${batch}-${i}.mp4` } })));
    }
    expect((await client.listVideos({ pageSize: 1_000 })).videos).toHaveLength(1_000);

    const skip = service.logs.length;
    const codes: string[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      // The deadline header only: the client does not time out by itself, so the answer
      // seen here is the server's.
      const code = await client.listVideos({ pageSize: 1_000 }, { headers: { 'grpc-timeout': '1m' } }).then(
        () => 'OK',
        (error: unknown) => Code[codeOf(error)],
      );
      codes.push(code!);
    }
    expect(codes).toEqual(Array(5).fill('DeadlineExceeded'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const logged = service.logs.slice(skip).filter((line) => line.procedure === '/video.v1.VideoService/ListVideos');
    expect(logged.map((line) => line.code)).toEqual(Array(5).fill('deadline_exceeded'));
  });
});

describe('the store timeout (limits.storeTimeoutMs) on a store that cannot answer', () => {
  const directory = mkdtempSync(join(tmpdir(), 'videosvc-store-timeout-'));
  const path = join(directory, 'videos.sqlite');
  let store: SqliteVideoStore;
  let lock: BetterSqlite3.Database;
  const storeTimeoutMs = 300;
  beforeAll(async () => {
    store = await SqliteVideoStore.open({ path });
    lock = new BetterSqlite3(path);
    lock.exec('begin immediate');
  });
  afterAll(async () => {
    lock?.exec('rollback');
    lock?.close();
    await store?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  // The real handlers and deadline rules over the in-memory router; the caller is set
  // directly, as the auth interceptor would.
  function client() {
    const asAlice: Interceptor = (next) => (request) => {
      request.contextValues.set(principalKey, principalOf('alice', undefined));
      return next(request);
    };
    const transport = createRouterTransport(
      ({ service }) => service(VideoService, videoServiceHandlers({ videos: new Videos(store, systemClock, uuidV7Ids), claims: new Claims(store, systemClock, { maxAttempts: 3 }) }, storeTimeoutMs)),
      { router: { interceptors: [errorInterceptor(), deadlineInterceptor(), asAlice] } },
    );
    return createClient(VideoService, transport);
  }

  it('with no client deadline, a write held by a lock is UNAVAILABLE at the store timeout', async () => {
    const started = Date.now();
    const error = await client().createVideo({ video: { originalName: 'x.mp4' } }).catch((err: unknown) => err);
    const tookMs = Date.now() - started;
    expect(codeOf(error)).toBe(Code.Unavailable);
    expect(tookMs).toBeGreaterThanOrEqual(storeTimeoutMs - 50);
    expect(tookMs).toBeLessThan(storeTimeoutMs + 200);
  });

  it('with a client deadline sooner than the store timeout, the same write is DEADLINE_EXCEEDED at that deadline', async () => {
    const started = Date.now();
    const error = await client()
      .createVideo({ video: { originalName: 'x.mp4' } }, { headers: { 'connect-timeout-ms': '150' } })
      .catch((err: unknown) => err);
    const tookMs = Date.now() - started;
    expect(codeOf(error)).toBe(Code.DeadlineExceeded);
    expect(tookMs).toBeLessThan(150 + 150);
  });
});
