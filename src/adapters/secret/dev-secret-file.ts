// SPEC §5: with no token secret configured outside production, a random development
// secret lives in a file next to the database, so `serve` and `videosvc token` agree
// and tokens survive restarts.
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigError } from '../../app/config.ts';
import type { TokenSecretSource } from '../../domain/ports.ts';
import { staticTokenSecretSource } from './static-secret.ts';

/** The file name, in the database's directory (./data for an in-memory database). */
export const devSecretFileName = 'dev-jwt-secret';

/** Where the development secret lives for this SQLITE_PATH. */
export function devSecretPath(sqlitePath: string): string {
  // One file per directory, not per database: the name says what it is, and every
  // command run with the same data directory finds the same secret. An in-memory (or
  // URI) database has no directory of its own, so the default data directory is used.
  const inMemory = sqlitePath === ':memory:' || sqlitePath.startsWith('file:') || sqlitePath === '';
  return join(inMemory ? './data' : dirname(sqlitePath), devSecretFileName);
}

export interface DevSecret {
  readonly source: TokenSecretSource;
  readonly path: string;
  /** True when this call created the file (log "created …"), false when it reused one. */
  readonly created: boolean;
}

/** Reads the development secret at `path`, creating it (mode 0600, atomically) if absent. */
export async function openDevSecretFile(path: string): Promise<DevSecret> {
  const existing = await readSecretFile(path);
  if (existing !== undefined) return { source: sourceFor(existing, path), path, created: false };

  await mkdir(dirname(path), { recursive: true });
  // Write the whole secret to a private temporary file, then hard-link it into place:
  // link() never overwrites and the file is complete the moment it is visible, so two
  // processes starting at once agree on whichever secret got there first.
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
  let created = true;
  try {
    await link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw fileError(path, error);
    created = false;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  const value = await readSecretFile(path);
  if (value === undefined) throw new ConfigError(`development token secret file ${path} vanished while starting`);
  return { source: sourceFor(value, path), path, created };
}

async function readSecretFile(path: string): Promise<string | undefined> {
  try {
    // Trailing whitespace is dropped so a hand-edited file with a final newline still works.
    return (await readFile(path, 'utf8')).trimEnd();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileError(path, error);
  }
}

function sourceFor(value: string, path: string): TokenSecretSource {
  return staticTokenSecretSource(value, `development token secret file ${path}`);
}

function fileError(path: string, error: unknown): ConfigError {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  return new ConfigError(`cannot use development token secret file ${path}: ${code}`);
}
