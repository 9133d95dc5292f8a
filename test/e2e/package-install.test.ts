// Issue 12 item 3: the package another team installs. `npm pack` builds and packs this
// checkout; a separate project installs the tarball offline; plain node runs its JavaScript
// against the service the tarball ships (started from the installed bin, not the sources),
// and the repository's tsc type-checks its TypeScript against the installed .d.ts files.
import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../src/adapters/token/mint.ts';
import { installConsumer, packPackage, type PackedPackage } from '../support/packed-package.ts';
import { consumerFiles, failingTsconfig, passingTsconfigs, wrongModuleName } from '../support/package-consumer.ts';
import { baseEnv, killServe, startServe, tempDir, testSecret, videoClient, type ServeProcess } from './cli-process.ts';

const run = promisify(execFile);
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

interface Outcome {
  readonly code: number;
  readonly output: string;
}

/** Runs the repository's tsc on one of the consumer's tsconfigs; resolves with its exit code and diagnostics. */
async function typeCheck(consumer: string, tsconfig: string): Promise<Outcome> {
  try {
    const { stdout } = await run(process.execPath, [tsc, '-p', tsconfig, '--pretty', 'false'], { cwd: consumer });
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string };
    return { code: failed.code ?? -1, output: failed.stdout ?? String(error) };
  }
}

describe('the package, installed from its tarball by another project', () => {
  let work: ReturnType<typeof tempDir>;
  let consumer: string;
  let packed: PackedPackage;
  let serve: ServeProcess | undefined;

  beforeAll(async () => {
    work = tempDir();
    consumer = join(work.path, 'consumer');
    packed = await packPackage(work.path);
    await installConsumer(consumer, packed, consumerFiles);
  }, 120_000);

  afterAll(async () => {
    await killServe(serve);
    work?.remove();
  });

  it('ships the built client with its .d.ts files, the service bundle, bin and proto, and no sources or tests', () => {
    const paths = packed.files.map((file) => file.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'package.json',
        'bin/videosvc.mjs',
        'dist/lib/client.js',
        'dist/lib/client.d.ts',
        'dist/lib/gen/video/v1/video_service_pb.js',
        'dist/lib/gen/video/v1/video_service_pb.d.ts',
        'dist/lib/gen/video/v1/video_pb.d.ts',
        'dist/service/main.mjs',
        'dist/service/writer-worker.mjs',
        'proto/video/v1/video_service.proto',
        'proto/video/v1/video.proto',
      ]),
    );
    expect(paths.filter((path) => /^(src|test|bench|scripts)\//.test(path))).toEqual([]);
    expect(paths.filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts'))).toEqual([]);
  });

  it('serves from the installed bin and answers a plain-node JavaScript consumer over gRPC, Connect and gRPC-Web', async () => {
    const data = tempDir();
    try {
      serve = await startServe(baseEnv(data.path, { JWT_SECRET: testSecret }), data.path, join(consumer, 'node_modules/videosvc/bin/videosvc.mjs'));
      const token = await mintToken({ secret: new TextEncoder().encode(testSecret), subject: 'alice', ttlSeconds: 600 });
      // No loader, no NODE_OPTIONS: only node and what the package installed.
      const { stdout } = await run(process.execPath, ['call.mjs'], {
        cwd: consumer,
        env: { PATH: process.env.PATH ?? '', VIDEOSVC_URL: serve.url, VIDEOSVC_TOKEN: token },
      });
      const result = JSON.parse(stdout) as { resolved: string; videoId: string; seen: Record<string, unknown>; refused: string };
      expect(result.resolved).toBe(pathToFileURL(join(realpathSync(consumer), 'node_modules/videosvc/dist/lib/client.js')).href);
      expect(result.videoId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const expected = { ownerId: 'alice', videoId: result.videoId, title: 'Installed from a tarball', status: 'UPLOADED' };
      expect(result.seen).toEqual({ grpc: expected, connect: expected, 'grpc-web': expected });
      expect(result.refused).toBe('Unauthenticated');
      // The consumer's write reached the service's store.
      const { video } = await videoClient(serve.url, token).getVideo({ videoId: result.videoId });
      expect(video?.originalName).toBe('from-the-tarball.mp4');
    } finally {
      await killServe(serve);
      data.remove();
    }
  }, 60_000);

  // The long limit: three compilers at once, and the library check alone is ~5 s of CPU.
  it('type-checks a TypeScript consumer against the installed .d.ts files (nodenext with the library checked, bundler), and rejects its mistakes (node16)', async () => {
    const [nodenext, bundler, wrong] = await Promise.all([
      typeCheck(consumer, passingTsconfigs.nodenext),
      typeCheck(consumer, passingTsconfigs.bundler),
      typeCheck(consumer, failingTsconfig),
    ]);
    expect(nodenext).toEqual({ code: 0, output: '' });
    expect(bundler).toEqual({ code: 0, output: '' });
    // Exactly the three mistakes, each named: the types are real, not `any` from an unresolved module.
    const errors = wrong.output.trim().split('\n').map((line) => line.replace(/^(\S+)\((\d+),\d+\): error (TS\d+): .*/, '$1:$2 $3'));
    expect(wrong.code).toBe(2);
    expect(errors).toEqual([`${wrongModuleName}:3 TS2322`, `${wrongModuleName}:4 TS2322`, `${wrongModuleName}:5 TS2339`]);
    expect(wrong.output).toContain("Property 'deleteEverything' does not exist");
  }, 120_000);
});
