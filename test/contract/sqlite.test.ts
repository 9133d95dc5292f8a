// The VideoStore contract on SQLite: on a file (WAL, synchronous FULL) and in memory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqliteVideoStore } from '../../src/adapters/sqlite/store.ts';
import { videoStoreContract } from './video-store.contract.ts';

const directory = mkdtempSync(join(tmpdir(), 'videosvc-contract-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

videoStoreContract('sqlite (file)', () => SqliteVideoStore.open({ path: join(directory, 'videos.sqlite') }));
videoStoreContract('sqlite (:memory:)', () => SqliteVideoStore.open({ path: ':memory:' }));
