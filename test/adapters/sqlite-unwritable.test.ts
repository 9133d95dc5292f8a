// A database the service cannot write must refuse to start with one line naming the file,
// instead of starting half-working (ready, reads fine, every write UNAVAILABLE). Root
// writes through any file mode, so when the tests run as root the opening process runs
// as the unprivileged user `nobody`.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteVideoStore } from '../../src/adapters/sqlite/store.ts';
import { sampleVideo } from '../support/videos.ts';
import { startSqliteChild } from '../support/sqlite-processes.ts';

const directory = mkdtempSync(join(tmpdir(), 'videosvc-unwritable-'));
chmodSync(directory, 0o755);
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const unprivileged = process.getuid?.() === 0 ? 65534 : undefined;

/** A migrated database with one video, closed cleanly (no WAL files left). */
async function seededDatabase(path: string): Promise<void> {
  const store = await SqliteVideoStore.open({ path });
  await store.create(sampleVideo());
  await store.close();
}

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('a database that cannot be written', () => {
  it('a read-only database file refuses to start with one line naming the file', async () => {
    const folder = join(directory, 'read-only-file');
    mkdirSync(folder);
    const path = join(folder, 'videos.sqlite');
    await seededDatabase(path);
    chmodSync(path, 0o444);
    chmodSync(folder, 0o777);
    const result = await startSqliteChild('open', path, undefined, unprivileged).done;
    expect(result.exitCode).toBe(1);
    expect(result.lines).toHaveLength(1);
    expect(result.lines[0]).toMatch(new RegExp(`^error: cannot open database ${escaped(path)}: it cannot be written \\(.+\\)$`));
  });

  it('a read-only directory with leftover WAL files refuses to start with one line naming the file', async () => {
    const source = join(directory, 'source.sqlite');
    await seededDatabase(source);
    // Leftover WAL files: a connection that wrote without checkpointing, copied as it is.
    const writer = new BetterSqlite3(source);
    writer.pragma('wal_autocheckpoint = 0');
    writer.prepare("update videos set title = 'changed in the WAL'").run();
    const folder = join(directory, 'read-only-folder');
    mkdirSync(folder);
    const path = join(folder, 'videos.sqlite');
    for (const suffix of ['', '-wal', '-shm']) copyFileSync(source + suffix, path + suffix);
    writer.close();
    for (const suffix of ['', '-wal', '-shm']) chmodSync(path + suffix, 0o444);
    chmodSync(folder, 0o555);

    const result = await startSqliteChild('open', path, undefined, unprivileged).done;
    expect(result.exitCode).toBe(1);
    expect(result.lines).toHaveLength(1);
    expect(result.lines[0]).toMatch(new RegExp(`^error: cannot open database ${escaped(path)}: .+$`));
  });
});
