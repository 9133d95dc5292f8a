// `npm run build` (and `npm start`, `npm ci` through prestart/prepare): bundles the service
// into dist/service/ with esbuild, so it runs on plain Node without tsx's loader.
// Measured (issue 10, README "Transport performance"): under tsx the idle service held
// 167 MB RSS, most of it tsx and esbuild's transform state loaded twice (main thread and
// the SQLite writer thread), and tsx's keepNames wrapped every closure made per call; the
// bundle idles at ~91 MB. The pure-JS ESM packages are bundled too: as separate modules they
// were ~470 ESM modules (kysely alone 263), and their records and source text made a third
// of the idle heap V8 marks on every full collection (15.2 MB live, 11.5 MB bundled; heap
// snapshots, issue 10). Native, CommonJS and lazily loaded packages stay external (the AWS
// SDK, pino, better-sqlite3, prom-client); so does @opentelemetry/api, so the service and a
// user's OpenTelemetry SDK share one copy of its globals; splitting keeps the CLI's lazy imports lazy, so
// `videosvc token` still loads no AWS SDK.
// The SQLite writer thread's entry is bundled as writer-worker.mjs beside the chunks, where
// writer.ts looks for it (`new URL('./writer-worker.mjs', import.meta.url)`): under tsx
// that URL names src/adapters/sqlite/writer-worker.mjs, which registers tsx first.
import { build } from 'esbuild';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const serviceOutDirectory = `${root}dist/service`;

/**
 * Builds dist/service. The bundle is written beside it and swapped in whole, so a
 * `videosvc` starting meanwhile finds the old bundle, the new one or none (and then runs
 * the sources through tsx), never half of one.
 */
export async function buildService() {
  const staging = `${serviceOutDirectory}.${process.pid}.new`;
  const retired = `${serviceOutDirectory}.${process.pid}.old`;
  rmSync(staging, { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: [
      { in: 'src/cli/main.ts', out: 'main' },
      { in: 'src/adapters/sqlite/writer-thread.ts', out: 'writer-worker' },
    ],
    outdir: staging,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    external: ['better-sqlite3', 'pino', 'prom-client', '@opentelemetry/api', '@aws-sdk/*', '@smithy/*', 'tsx', 'esbuild'],
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  if (existsSync(serviceOutDirectory)) renameSync(serviceOutDirectory, retired);
  renameSync(staging, serviceOutDirectory);
  rmSync(retired, { recursive: true, force: true });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildService();
