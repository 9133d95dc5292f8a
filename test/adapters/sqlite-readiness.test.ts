// SQLite readiness (ping): not ready while the store cannot write (another process holds
// the lock) or while the path no longer names the opened file (deleted, replaced); ready
// again when the lock goes, with no reopening; reads keep answering meanwhile.
import { execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteVideoStore } from '../../src/adapters/sqlite/store.ts';
import { StoreUnavailable } from '../../src/domain/errors.ts';
import { startSqliteChild } from '../support/sqlite-processes.ts';
import { sampleVideo } from '../support/videos.ts';

const directory = mkdtempSync(join(tmpdir(), 'videosvc-readiness-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let fileCount = 0;
const freshPath = (): string => join(directory, `videos-${++fileCount}.sqlite`);

// A full disk needs a small file system of its own: a tmpfs, which only root may mount.
function mountSmallDisk(): string | undefined {
  const mountPoint = join(directory, 'small-disk');
  mkdirSync(mountPoint);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint], { stdio: 'ignore' });
    return mountPoint;
  } catch {
    return undefined;
  }
}
const smallDisk = mountSmallDisk();
afterAll(() => {
  if (smallDisk !== undefined) execFileSync('umount', [smallDisk]);
});

/** Writes zeros to `path` until the file system is full. */
function fillDisk(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

async function outcome(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => 'ready',
    (error: unknown) => error,
  );
}

describe('SQLite readiness', () => {
  it("is not ready while another process holds the write lock, within the probe's deadline, and ready again once it is released", async () => {
    const path = freshPath();
    const seeded = await SqliteVideoStore.open({ path });
    const video = await seeded.create(sampleVideo());
    await seeded.close();
    const store = await SqliteVideoStore.open({ path });
    const holder = startSqliteChild('hold-lock', path, '3000');
    try {
      await holder.printed('locked');
      const started = Date.now();
      const during = await outcome(store.ping({ deadline: started + 400 }));
      const tookMs = Date.now() - started;
      expect(during).toBeInstanceOf(StoreUnavailable);
      expect(tookMs).toBeLessThan(400 + 150);
      expect(await store.get(video)).toEqual(video);

      await holder.printed('released');
      expect(await outcome(store.ping({ deadline: Date.now() + 1_000 }))).toBe('ready');
    } finally {
      holder.process.kill();
      await store.close();
    }
  });

  it('is not ready once the database file is deleted, and refuses writes instead of putting them in the unlinked file', async () => {
    const path = freshPath();
    const store = await SqliteVideoStore.open({ path });
    try {
      const video = await store.create(sampleVideo());
      expect(await outcome(store.ping())).toBe('ready');
      unlinkSync(path);
      const notReady = await outcome(store.ping());
      expect(notReady).toBeInstanceOf(StoreUnavailable);
      expect((notReady as Error).message).toBe(
        `database file ${path} was deleted or replaced since it was opened; restart videosvc`,
      );
      const write = await outcome(store.create(sampleVideo()));
      expect(write).toBeInstanceOf(StoreUnavailable);
      expect((write as Error).message).toMatch(/was deleted or replaced/);
      expect(await store.get(video)).toEqual(video);
    } finally {
      await store.close();
    }
  });

  it('is not ready once another file is moved over the database path', async () => {
    const path = freshPath();
    const other = freshPath();
    await (await SqliteVideoStore.open({ path: other })).close();
    const store = await SqliteVideoStore.open({ path });
    try {
      expect(await outcome(store.ping())).toBe('ready');
      copyFileSync(other, `${other}.copy`);
      renameSync(`${other}.copy`, path);
      expect(await outcome(store.ping())).toBeInstanceOf(StoreUnavailable);
      expect(await outcome(store.create(sampleVideo()))).toBeInstanceOf(StoreUnavailable);
    } finally {
      await store.close();
    }
  });

  // Runs where a tmpfs can be mounted (root: this machine and CI); elsewhere there is no
  // way to fill a disk without filling the real one.
  it.runIf(smallDisk !== undefined)('is not ready while the disk is full, and ready again once space is freed', async () => {
    const path = join(smallDisk!, 'videos.sqlite');
    const store = await SqliteVideoStore.open({ path });
    try {
      const video = await store.create(sampleVideo());
      fillDisk(join(smallDisk!, 'filler'));
      // Past the "a commit in the last second proves it writable" window.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect(await outcome(store.ping())).toBeInstanceOf(StoreUnavailable);
      expect(await outcome(store.create(sampleVideo()))).toBeInstanceOf(StoreUnavailable);
      expect(await store.get(video)).toEqual(video);
      unlinkSync(join(smallDisk!, 'filler'));
      expect(await outcome(store.ping())).toBe('ready');
    } finally {
      await store.close();
    }
  });
});
