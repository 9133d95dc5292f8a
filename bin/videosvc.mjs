#!/usr/bin/env node
// The `videosvc` executable. It runs the bundle in dist/service (scripts/build.mjs; built by
// `npm ci` and again by `npm start`) when that is newer than every file under src/, and
// otherwise the TypeScript sources through tsx, so an edited source is never shadowed by
// an older bundle and a checkout without a build still works. A tree that ships no src/
// (the container image, an installed package) always runs the bundle.
import { existsSync, readdirSync, statSync } from 'node:fs';

// The AWS SDK warns on Node 20 that *future* SDK releases will need Node 22. The versions
// here are pinned, and the multi-line warning would break the CLI's promise of one
// stderr line per failure, so it is off unless an operator sets the variable to "false".
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

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
    if (!existsSync(sources)) return existsSync(bundle);
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
