// migrateVideos into DynamoDB: every field kept, nothing overwritten, safe to re-run.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrateVideos, type VideoSource } from '../../src/app/migrate.ts';
import { StoreUnavailable } from '../../src/domain/errors.ts';
import type { Video } from '../../src/domain/video.ts';
import { startDynalite, type RunningDynalite } from '../support/dynalite.ts';
import { openStore, video } from './dynamo-fixtures.ts';

let dynamo: RunningDynalite;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});

function sourceOf(videos: Video[]): VideoSource {
  return {
    async *allVideos() {
      yield* videos;
    },
  };
}

it('copies every video with all its fields, skips those already there, and re-runs as all skipped', async () => {
  const { store } = await openStore(dynamo.endpoint, 'owner-time');
  const videos: Video[] = [];
  for (let i = 0; i < 25; i++) {
    const base = video(`owner${i % 3}`, { status: 'TRANSCODED', labels: { n: String(i) }, sizeBytes: 2n ** 60n + BigInt(i) }, new Date(Date.UTC(2022, 0, 1, 0, 0, i)));
    videos.push({ ...base, updateTime: new Date(base.updateTime.getTime() + 1234), version: 7 });
  }
  // One video is already in the table with other content: it must stay as it is.
  const existing = { ...videos[3]!, title: 'already here', version: 1 };
  await store.create(existing);

  expect(await migrateVideos(sourceOf(videos), store)).toEqual({ copied: 24, skipped: 1 });
  for (const original of videos) {
    expect(await store.get(original)).toEqual(original === videos[3] ? existing : original);
  }
  expect(await migrateVideos(sourceOf(videos), store)).toEqual({ copied: 0, skipped: 25 });
});

it('stops on a store failure and reports it, keeping what was copied', async () => {
  let calls = 0;
  const flaky = {
    async create(v: Video) {
      calls += 1;
      if (calls === 5) throw new StoreUnavailable();
      return v;
    },
  };
  const videos = Array.from({ length: 20 }, () => video('flaky'));
  await expect(migrateVideos(sourceOf(videos), flaky, { concurrency: 2 })).rejects.toBeInstanceOf(StoreUnavailable);
  expect(calls).toBeLessThan(20);
});
