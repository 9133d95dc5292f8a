// `buf curl` (the npm package's binary) against a running service, from an empty working
// directory so buf cannot find proto files or a buf.yaml: all it knows comes from reflection.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const buf = resolve('node_modules/.bin/buf');

/** Runs `buf curl --protocol grpc --http2-prior-knowledge <args>` and returns its stdout; stderr becomes the error. */
export async function bufCurl(...args: string[]): Promise<string> {
  const { stdout } = await run(buf, ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', ...args], {
    cwd: '/tmp',
    env: { ...process.env, BUF_CACHE_DIR: '/tmp/videosvc-buf-cache' },
  }).catch((error: { stderr?: string }) => {
    throw new Error(`buf curl failed: ${error.stderr ?? String(error)}`);
  });
  return stdout;
}
