// What one store read costs on the main thread, per call: get, getMany (50 ids) and a
// list page (50, first page and a filtered one), on a real SQLite file in WAL mode. The
// figure is the mean over many calls after a warm-up, so it is the per-call CPU the
// event loop pays (statement preparation, query building, row mapping), not latency
// under load. It is CPU time (process.cpuUsage), not wall time, so that other load on a
// shared machine inflates it less; still, compare runs made close together.
//
//   npx tsx bench/sqlite-reads.ts [--videos 10000] [--calls 20000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SqliteVideoStore } from '../src/adapters/sqlite/store.ts';
import { sampleVideo } from '../test/support/videos.ts';

const { values: args } = parseArgs({
  options: {
    videos: { type: 'string', default: '10000' },
    calls: { type: 'string', default: '20000' },
  },
});
const videoCount = Number(args.videos);
const calls = Number(args.calls);
const ownerId = 'bench-owner';

async function meanUs(count: number, call: (index: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(count, 2_000); i++) await call(i);
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) await call(i);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / count;
}

const directory = mkdtempSync(join(tmpdir(), 'videosvc-bench-reads-'));
const store = await SqliteVideoStore.open({ path: join(directory, 'videos.sqlite'), synchronous: 'NORMAL' });
try {
  const ids: string[] = [];
  const seeding: Promise<unknown>[] = [];
  for (let i = 0; i < videoCount; i++) {
    const video = sampleVideo({ ownerId, createTime: new Date(1_700_000_000_000 + i) });
    ids.push(video.videoId);
    seeding.push(store.create(video));
    if (seeding.length === 256) await Promise.all(seeding.splice(0));
  }
  await Promise.all(seeding);
  const deadline = () => Date.now() + 10_000;
  const results = {
    getUs: await meanUs(calls, (i) => store.get({ ownerId, videoId: ids[i % ids.length]! }, { deadline: deadline() })),
    getMany50Us: await meanUs(calls / 10, (i) =>
      store.getMany(ownerId, ids.slice((i * 50) % (ids.length - 50), ((i * 50) % (ids.length - 50)) + 50), { deadline: deadline() }),
    ),
    list50Us: await meanUs(calls / 10, () => store.list({ ownerId, limit: 50 }, { deadline: deadline() })),
    list50FilteredUs: await meanUs(calls / 10, () =>
      store.list({ ownerId, status: 'UPLOADED', limit: 50 }, { deadline: deadline() }),
    ),
  };
  console.log(JSON.stringify({ node: process.version, videos: videoCount, calls, ...Object.fromEntries(Object.entries(results).map(([k, v]) => [k, Number(v.toFixed(2))])) }));
} finally {
  await store.close();
  rmSync(directory, { recursive: true, force: true });
}
