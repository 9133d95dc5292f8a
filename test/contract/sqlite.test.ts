// The VideoStore contract on SQLite: on a file (WAL, synchronous FULL, writes on the
// writer thread) and in memory (writes on the main thread's connection).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { SqliteVideoStore } from '../../src/adapters/sqlite/store.ts';
import { videoStoreContract } from './video-store.contract.ts';
import { storeDeadlineContract } from './video-store/deadlines.ts';

const directory = mkdtempSync(join(tmpdir(), 'videosvc-contract-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

videoStoreContract('sqlite (file)', () => SqliteVideoStore.open({ path: join(directory, 'videos.sqlite') }));
videoStoreContract('sqlite (:memory:)', () => SqliteVideoStore.open({ path: ':memory:' }));

for (const [name, path] of [
  ['sqlite (file)', join(directory, 'deadlines.sqlite')],
  ['sqlite (:memory:)', ':memory:'],
] as const) {
  let store: SqliteVideoStore | undefined;
  beforeAll(async () => {
    store = await SqliteVideoStore.open({ path });
  });
  afterAll(async () => {
    await store?.close();
  });
  storeDeadlineContract(name, () => store!);
}
