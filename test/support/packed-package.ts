// This package as another team gets it: `npm pack` of the checkout (its prepack and prepare
// scripts build dist/lib and dist/service), then `npm install` of the tarball into a separate
// project, offline. The tarball's own dependencies are given to npm as links to this
// checkout's node_modules (the versions the lockfile pins), because an offline npm cannot
// resolve a registry range without the registry's metadata, which `npm ci` never caches.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = resolve(import.meta.dirname, '../..');

export interface PackedFile {
  readonly path: string;
  readonly size: number;
}

export interface PackedPackage {
  readonly tarball: string;
  readonly name: string;
  readonly files: readonly PackedFile[];
}

/**
 * The environment for a child npm: this process's, less the `npm_*` variables an enclosing
 * `npm test` sets (its prefix, its package), which would point the child back at this checkout.
 */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
}

/** Runs `npm pack` on this checkout into `destination`; lifecycle scripts run, so the build is fresh. */
export async function packPackage(destination: string): Promise<PackedPackage> {
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', destination], {
    cwd: repoRoot,
    env: npmEnv(),
    maxBuffer: 16 * 1024 * 1024,
  });
  const [packed] = JSON.parse(stdout) as Array<{ name: string; filename: string; files: PackedFile[] }>;
  if (packed === undefined) throw new Error(`npm pack printed no package: ${stdout}`);
  return { tarball: join(destination, packed.filename), name: packed.name, files: packed.files };
}

/** A `file:` spec linking to this checkout's installed copy of `name`. */
function linkToInstalled(name: string): string {
  return `file:${realpathSync(join(repoRoot, 'node_modules', name))}`;
}

/**
 * Creates a project in `directory` that depends on the tarball, with `files` beside its
 * package.json, and installs it without the network.
 */
export async function installConsumer(directory: string, packed: PackedPackage, files: Record<string, string>): Promise<void> {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const dependencies: Record<string, string> = { [packed.name]: `file:${packed.tarball}` };
  for (const name of Object.keys(manifest.dependencies)) dependencies[name] = linkToInstalled(name);
  mkdirSync(directory, { recursive: true });
  const consumer = { name: 'videosvc-consumer', private: true, type: 'module', dependencies, devDependencies: { '@types/node': linkToInstalled('@types/node') } };
  writeFileSync(join(directory, 'package.json'), `${JSON.stringify(consumer, null, 2)}\n`);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(directory, name), text);
  // --ignore-scripts: a linked package's install script (better-sqlite3's native build)
  // would otherwise run inside this checkout's node_modules. --install-links=false keeps the
  // links links (a copy would need its own dependencies fetched). An empty cache of its own
  // proves nothing came from an earlier download.
  const cache = `${directory}.npm-cache`;
  await run('npm', ['install', '--offline', '--cache', cache, '--ignore-scripts', '--install-links=false', '--no-audit', '--no-fund'], {
    cwd: directory,
    env: npmEnv(),
  });
}
