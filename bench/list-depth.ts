// Does a deep list page cost what the first one does (SPEC §3: keyset, never OFFSET)?
// Seeds one owner with 100 000 videos in a temporary SQLite file, then times the first
// page and a page ~90 000 videos deep (reached by walking the cursor), unfiltered and
// filtered by status, and prints deep/first as a ratio (≈ 1 means depth costs nothing).
//
//   npx tsx bench/list-depth.ts [--videos 100000] [--page-size 50] [--rounds 500]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SqliteVideoStore } from '../src/adapters/sqlite/store.ts';
import type { ListCursor, ListQuery, VideoStore } from '../src/domain/ports.ts';
import { videoStatuses } from '../src/domain/video.ts';
import { sampleVideo } from '../test/support/videos.ts';

const { values: args } = parseArgs({
  options: {
    videos: { type: 'string', default: '100000' },
    'page-size': { type: 'string', default: '50' },
    rounds: { type: 'string', default: '500' },
  },
});
const videoCount = Number(args.videos);
const pageSize = Number(args['page-size']);
const rounds = Number(args.rounds);
const ownerId = 'bench-owner';

interface Timing {
  readonly medianUs: number;
  readonly p95Us: number;
}

function summarise(samples: number[]): Timing {
  samples.sort((a, b) => a - b);
  return { medianUs: samples[Math.floor(samples.length / 2)]!, p95Us: samples[Math.floor(samples.length * 0.95)]! };
}

async function elapsedUs(run: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1_000;
}

/**
 * Times `a` and `b` alternately, `rounds` runs each, in microseconds. Alternating
 * spreads any background load evenly over both, so their ratio stays meaningful.
 */
async function timePair(a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<[Timing, Timing]> {
  for (let i = 0; i < 20; i++) await Promise.all([a(), b()]); // warm the page cache and the JIT
  const [samplesA, samplesB]: [number[], number[]] = [[], []];
  for (let i = 0; i < rounds; i++) {
    samplesA.push(await elapsedUs(a));
    samplesB.push(await elapsedUs(b));
  }
  return [summarise(samplesA), summarise(samplesB)];
}

/** The cursor after walking `depth` matching videos in pages of 1 000. */
async function cursorAt(store: VideoStore, query: Omit<ListQuery, 'limit' | 'after'>, depth: number): Promise<ListCursor> {
  let after: ListCursor | undefined;
  for (let walked = 0; walked < depth; ) {
    const page = await store.list({ ...query, limit: Math.min(1_000, depth - walked), after });
    walked += page.videos.length;
    if (page.next === undefined) throw new Error(`only ${walked} videos match; cannot go ${depth} deep`);
    after = page.next;
  }
  return after!;
}

/** Prints first-page and deep-page timings of `query`, and their ratio. */
async function compare(
  store: VideoStore,
  label: string,
  query: Omit<ListQuery, 'limit' | 'after'>,
  depth: number,
): Promise<void> {
  const after = await cursorAt(store, query, depth);
  const [first, deep] = await timePair(
    () => store.list({ ...query, limit: pageSize }),
    () => store.list({ ...query, limit: pageSize, after }),
  );
  const fmt = (us: number): string => `${us.toFixed(0).padStart(6)} µs`;
  console.log(
    `${label.padEnd(24)} first page ${fmt(first.medianUs)} (p95 ${fmt(first.p95Us)})   ` +
      `page at ${String(depth).padStart(6)} ${fmt(deep.medianUs)} (p95 ${fmt(deep.p95Us)})   ` +
      `ratio deep/first ${(deep.medianUs / first.medianUs).toFixed(2)}`,
  );
}

const directory = mkdtempSync(join(tmpdir(), 'videosvc-bench-'));
// NORMAL only to seed 100 000 rows quickly; reads cost the same under FULL.
const store = await SqliteVideoStore.open({ path: join(directory, 'videos.sqlite'), synchronous: 'NORMAL' });
try {
  const base = Date.UTC(2024, 0, 1);
  const seedStart = performance.now();
  for (let i = 0; i < videoCount; i += 500) {
    const batch = Array.from({ length: Math.min(500, videoCount - i) }, (_, j) =>
      // Pairs share a millisecond, so the id tie-break is exercised too.
      sampleVideo({
        ownerId,
        status: videoStatuses[(i + j) % videoStatuses.length]!,
        createTime: new Date(base + Math.floor((i + j) / 2)),
      }),
    );
    await Promise.all(batch.map((video) => store.create(video)));
  }
  const seedSeconds = (performance.now() - seedStart) / 1000;
  console.log(`seeded ${videoCount} videos for one owner in ${seedSeconds.toFixed(1)} s; page size ${pageSize}, ${rounds} rounds each`);
  await compare(store, 'all statuses', { ownerId }, Math.floor(videoCount * 0.9));
  const perStatus = videoCount / videoStatuses.length;
  await compare(store, 'status = UPLOADED', { ownerId, status: 'UPLOADED' }, Math.floor(perStatus * 0.9));
} finally {
  await store.close();
  rmSync(directory, { recursive: true, force: true });
}
