#!/usr/bin/env node
// The `videosvc` executable. It runs the bundle in dist/service (scripts/build.mjs; built by
// `npm ci` and again by `npm start`) when that is newer than every file under src/, and
// otherwise the TypeScript sources through tsx, so an edited source is never shadowed by
// an older bundle and a checkout without a build still works.
import { readdirSync, statSync } from 'node:fs';
import v8 from 'node:v8';

// The AWS SDK warns on Node 20 that *future* SDK releases will need Node 22. The versions
// here are pinned, and the multi-line warning would break the CLI's promise of one
// stderr line per failure, so it is off unless an operator sets the variable to "false".
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// V8 lets the old generation grow by a factor it picks from how busy the process is, up to
// 4x the live size. Under a steady stream of calls that let it reach ~75-115 MB between
// mark-compacts, and each mark-compact then paused the process for 30-80 ms: a pause grows
// with the HTTP/2 streams that died since the last one (Node's http2 objects are collected
// there). A fixed, small growth factor makes mark-compacts come every ~0.8 s with 8-15 ms
// pauses instead, for the same CPU per call and a smaller heap: GetVideo p99 at half of peak
// 139 ms -> 27-29 ms, p50 unchanged (issue 10; README "Transport performance"). An operator's
// own --heap-growing-percent (command line or NODE_OPTIONS) wins.
const ownGrowth = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((arg) => /^--heap[-_]growing[-_]percent/.test(arg));
if (!ownGrowth) v8.setFlagsFromString('--heap-growing-percent=50');

const bundle = new URL('../dist/service/main.mjs', import.meta.url);
const sources = new URL('../src/', import.meta.url);

/** The newest modification time of any file under `directory`. */
function newestChange(directory) {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, statSync(`${entry.parentPath ?? entry.path}/${entry.name}`).mtimeMs);
  }
  return newest;
}

function bundleIsCurrent() {
  try {
    return statSync(bundle).mtimeMs > newestChange(sources);
  } catch {
    return false;
  }
}

let main;
if (bundleIsCurrent()) {
  ({ main } = await import(bundle.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
await main(process.argv.slice(2));
