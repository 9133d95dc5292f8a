// Which file a path named when the database was opened. A database file deleted or
// replaced under a running service would take every later write with it (the old inode
// lives on, unlinked, until the process ends), so writes and readiness compare the path's
// device and inode with the ones seen at open.
import { statSync } from 'node:fs';

export interface FileIdentity {
  readonly dev: bigint;
  readonly ino: bigint;
}

/** The device and inode `path` names now; undefined when nothing is there. */
export function identityOf(path: string): FileIdentity | undefined {
  const stats = statSync(path, { bigint: true, throwIfNoEntry: false });
  return stats === undefined ? undefined : { dev: stats.dev, ino: stats.ino };
}

/** Whether `path` still names the file `opened` identifies. */
export function stillSameFile(path: string, opened: FileIdentity): boolean {
  const now = identityOf(path);
  return now !== undefined && now.dev === opened.dev && now.ino === opened.ino;
}
