// Issue 10: `videosvc serve` fixes V8's old-generation growth at 50 % (shorter full-collection
// pauses, flat RSS under load) and says so in its listening line; a value given on node's
// command line wins, 0 included (V8's adaptive growth).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { baseEnv, binPath, killServe, startServe, tempDir, testSecret, type ServeProcess } from './cli-process.ts';

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

const env = () => baseEnv(dir.path, { PORT: '0', JWT_SECRET: testSecret, SHUTDOWN_DELAY_MS: '0' });
const listeningLine = (process: ServeProcess) => process.logs.find((line) => line.msg === 'listening')!;

describe('videosvc serve and V8 heap growth', () => {
  it('started plainly, it sets 50 % and says so', async () => {
    serve = await startServe(env(), dir.path);
    expect(listeningLine(serve).heapGrowth).toEqual({ growingPercent: 50, setBy: 'videosvc' });
  });

  it.each([['--heap-growing-percent=0', 0], ['--heap-growing-percent=80', 80]])('node %s: the operator’s value stays, and is reported', async (flag, percent) => {
    serve = await startServe(env(), dir.path, binPath, [flag]);
    expect(listeningLine(serve).heapGrowth).toEqual({ growingPercent: percent, setBy: 'node command line' });
  });
});
