// `videosvc --version`: the version in the package's own package.json, found at run time by
// walking up from this module. The same walk works from the TypeScript sources (src/cli/),
// from the esbuild bundle (dist/service/, where this code may sit in a chunk) and from an
// installed copy (node_modules/videosvc/…), and no build-time copy can go stale.
import { readFileSync } from 'node:fs';

const packageName = 'videosvc';

/** The `version` of the nearest package.json named videosvc at or above `from`'s directory. */
export function packageVersion(from: URL = new URL(import.meta.url)): string {
  let directory = new URL('./', from);
  for (;;) {
    const version = versionIn(new URL('package.json', directory));
    if (version !== undefined) return version;
    const parent = new URL('../', directory);
    if (parent.href === directory.href) throw new Error(`cannot find the package.json of ${packageName} above ${from.pathname}`);
    directory = parent;
  }
}

// A package.json of another package (or none, or an unreadable one) means: look further up.
function versionIn(file: URL): string | undefined {
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const { name, version } = (manifest ?? {}) as { name?: unknown; version?: unknown };
  return name === packageName && typeof version === 'string' ? version : undefined;
}
