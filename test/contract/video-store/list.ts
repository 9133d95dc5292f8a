// Contract: the newest-first, keyset-paged list (SPEC §3 ListVideos).
import { expect, it } from 'vitest';
import type { ListCursor, ListQuery, VideoStore } from '../../../src/domain/ports.ts';
import type { Video, VideoStatus } from '../../../src/domain/video.ts';
import { sampleVideo, uniqueOwner } from '../../support/videos.ts';

const base = Date.UTC(2024, 0, 1);

/** Newest first: create time descending, then video id descending (the order SPEC §3 sets). */
function newestFirst(videos: readonly Video[]): string[] {
  return [...videos]
    .sort((a, b) => b.createTime.getTime() - a.createTime.getTime() || (a.videoId < b.videoId ? 1 : -1))
    .map((video) => video.videoId);
}

/** Creates videos in parallel batches, so a remote store is not asked one at a time. */
async function createAll(store: VideoStore, videos: readonly Video[], batchSize = 50): Promise<void> {
  for (let i = 0; i < videos.length; i += batchSize) {
    await Promise.all(videos.slice(i, i + batchSize).map((video) => store.create(video)));
  }
}

/** Every page of a query, with a hook that runs after each page. */
async function walk(
  store: VideoStore,
  query: Omit<ListQuery, 'after'>,
  afterPage: (pageIndex: number) => Promise<void> = async () => {},
): Promise<{ ids: string[]; pageSizes: number[] }> {
  const ids: string[] = [];
  const pageSizes: number[] = [];
  let after: ListCursor | undefined;
  do {
    const page = await store.list({ ...query, after });
    ids.push(...page.videos.map((video) => video.videoId));
    pageSizes.push(page.videos.length);
    after = page.next;
    await afterPage(pageSizes.length - 1);
    if (pageSizes.length > 10_000) throw new Error('the walk does not end');
  } while (after !== undefined);
  return { ids, pageSizes };
}

/** list behaviours. */
export function listContract(store: () => VideoStore): void {
  it('an owner with no videos gets an empty page and no cursor', async () => {
    expect(await store().list({ ownerId: uniqueOwner(), limit: 10 })).toEqual({ videos: [] });
  });

  it(
    'a walk of 1 000 videos in pages of 7 returns each once, newest first with ties by id descending, while newer videos arrive',
    { timeout: 120_000 },
    async () => {
      const ownerId = uniqueOwner();
      // The first 400 have distinct times; the rest come in groups of 8 sharing one millisecond.
      const videos = Array.from({ length: 1_000 }, (_, i) =>
        sampleVideo({ ownerId, createTime: new Date(base + (i < 400 ? i : 400 + Math.floor((i - 400) / 8))) }),
      );
      await createAll(store(), videos);
      const { ids, pageSizes } = await walk(store(), { ownerId, limit: 7 }, async (pageIndex) => {
        if (pageIndex % 20 !== 3) return;
        // Newer than everything listed so far: a keyset walk going older never meets them.
        const createTime = new Date(base + 1_000_000 + pageIndex);
        await createAll(store(), [1, 2].map(() => sampleVideo({ ownerId, createTime })));
      });
      expect(ids).toEqual(newestFirst(videos));
      expect(pageSizes.slice(0, -1).every((size) => size === 7)).toBe(true);
      expect(pageSizes.at(-1)).toBe(1_000 % 7);
    },
  );

  it('the last page of a list of exactly 7·k videos has no cursor, so no empty page follows', async () => {
    const ownerId = uniqueOwner();
    const videos = Array.from({ length: 14 }, (_, i) => sampleVideo({ ownerId, createTime: new Date(base + i) }));
    await createAll(store(), videos);
    const first = await store().list({ ownerId, limit: 7 });
    expect(first.videos).toHaveLength(7);
    expect(first.next).toBeDefined();
    const second = await store().list({ ownerId, limit: 7, after: first.next });
    expect(second.videos).toHaveLength(7);
    expect(second.next).toBeUndefined();
    expect([...first.videos, ...second.videos].map((video) => video.videoId)).toEqual(newestFirst(videos));
    const whole = await store().list({ ownerId, limit: 14 });
    expect({ count: whole.videos.length, next: whole.next }).toEqual({ count: 14, next: undefined });
  });

  it('a page holds whole videos, equal to what get returns', async () => {
    const ownerId = uniqueOwner();
    const video = await store().create(sampleVideo({ ownerId }));
    expect((await store().list({ ownerId, limit: 5 })).videos).toEqual([video]);
  });

  it('the status filter lists only that status, newest first, across pages', async () => {
    const ownerId = uniqueOwner();
    const statuses: VideoStatus[] = ['UPLOADED', 'TRANSCODED', 'FAILED', 'TRANSCODED', 'COMPLETED'];
    const videos = Array.from({ length: 40 }, (_, i) =>
      sampleVideo({ ownerId, status: statuses[i % statuses.length]!, createTime: new Date(base + Math.floor(i / 3)) }),
    );
    await createAll(store(), videos);
    const { ids, pageSizes } = await walk(store(), { ownerId, status: 'TRANSCODED', limit: 3 });
    expect(ids).toEqual(newestFirst(videos.filter((video) => video.status === 'TRANSCODED')));
    expect(pageSizes).toEqual([3, 3, 3, 3, 3, 1]);
    expect(await store().list({ ownerId, status: 'TRANSCODING', limit: 3 })).toEqual({ videos: [] });
  });

  it("owners are isolated: a list never shows another owner's videos", async () => {
    const [alice, bob] = [uniqueOwner('alice'), uniqueOwner('bob')];
    const alices = Array.from({ length: 5 }, (_, i) => sampleVideo({ ownerId: alice, createTime: new Date(base + i) }));
    const bobs = alices.map(({ videoId, createTime }) => sampleVideo({ ownerId: bob, videoId, createTime }));
    await createAll(store(), [...alices, ...bobs]);
    const page = await store().list({ ownerId: alice, limit: 100 });
    expect(page.videos.map((video) => video.ownerId)).toEqual(Array(5).fill(alice));
    expect(page.videos.map((video) => video.videoId)).toEqual(newestFirst(alices));
  });

  it('a page resumes correctly after the video its cursor names was deleted', async () => {
    const ownerId = uniqueOwner();
    const videos = Array.from({ length: 6 }, (_, i) => sampleVideo({ ownerId, createTime: new Date(base + i) }));
    await createAll(store(), videos);
    const first = await store().list({ ownerId, limit: 3 });
    const last = first.videos.at(-1)!;
    await store().delete(last, {});
    const second = await store().list({ ownerId, limit: 3, after: first.next });
    expect(second.videos.map((video) => video.videoId)).toEqual(newestFirst(videos).slice(3));
    expect(second.next).toBeUndefined();
  });
}
