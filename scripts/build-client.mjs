// `npm run build` and `npm pack` (prepack): compiles the client other services import
// (src/client.ts and the generated code it needs) to JavaScript and .d.ts in dist/lib/, so a
// calling service runs it on plain Node and type-checks it from its own tsconfig
// (tsconfig.build.json says how). The service itself runs from the esbuild bundle
// (scripts/build.mjs), so this compiles only what the package exports.
import { spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const clientOutDirectory = `${root}dist/lib`;

/**
 * Builds dist/lib. Written beside it and swapped in whole, as dist/service is, so a file
 * removed from the sources never lingers in the package and a reader never sees half a build.
 */
export function buildClient() {
  const staging = `${clientOutDirectory}.${process.pid}.new`;
  const retired = `${clientOutDirectory}.${process.pid}.old`;
  rmSync(staging, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', `${root}tsconfig.build.json`, '--outDir', staging], { stdio: 'inherit' });
  if (run.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`tsc -p tsconfig.build.json failed (exit ${run.status ?? run.signal})`);
  }
  if (existsSync(clientOutDirectory)) renameSync(clientOutDirectory, retired);
  renameSync(staging, clientOutDirectory);
  rmSync(retired, { recursive: true, force: true });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildClient();
