// SPEC §6: SIGTERM exits 0 — also when whoever read the service's log lines has gone away
// (a log shipper that died, `videosvc serve | head`). Writing to a closed pipe fails with
// EPIPE; the service must drop those lines, not retry them forever on its way out.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { baseEnv, killServe, startServe, tempDir, testSecret, type ServeProcess } from './cli-process.ts';

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

function exitedWithin(ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'still running'> {
  return Promise.race([serve!.exited, new Promise<'still running'>((done) => setTimeout(() => done('still running'), ms))]);
}

describe('videosvc serve with its log reader gone', () => {
  it('still exits 0 on SIGTERM when stdout is a closed pipe', async () => {
    // No pre-stop delay: the exit itself is what is timed here.
    serve = await startServe(baseEnv(dir.path, { JWT_SECRET: testSecret, SHUTDOWN_DELAY_MS: '0' }), dir.path);
    // The reader goes away: every later log line meets EPIPE.
    serve.child.stdout!.destroy();
    await new Promise((wait) => setTimeout(wait, 100));
    serve.child.kill('SIGTERM');
    expect(await exitedWithin(8_000)).toEqual({ code: 0, signal: null });
  });
});
