// A fresh SQLite file per test, the store on it, and a second plain connection to the same
// file standing in for another process (to hold its lock, or to read what was committed).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, afterEach, beforeEach } from 'vitest';
import { SqliteVideoStore } from '../../src/adapters/sqlite/store.ts';

export interface StoreAndNeighbour {
  readonly path: string;
  readonly store: SqliteVideoStore;
  readonly other: BetterSqlite3.Database;
}

/** Registers the hooks; `take` is handed each test's store and neighbour before the test runs. */
export function sqliteStoreEachTest(directoryPrefix: string, take: (fresh: StoreAndNeighbour) => void): void {
  const directory = mkdtempSync(join(tmpdir(), directoryPrefix));
  let fileCount = 0;
  let current: StoreAndNeighbour | undefined;
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  beforeEach(async () => {
    const path = join(directory, `videos-${++fileCount}.sqlite`);
    const store = await SqliteVideoStore.open({ path });
    current = { path, store, other: new BetterSqlite3(path) };
    take(current);
  });
  afterEach(async () => {
    if (current === undefined) return;
    if (current.other.inTransaction) current.other.exec('rollback');
    current.other.close();
    await current.store.close();
  });
}
