// A page cursor whose time lies beyond what an ISO string or a Date holds. The app
// range-checks page tokens first; the store must still never throw a raw error (an
// INTERNAL with a stack) nor quietly answer an empty page: a time after year 9999 resumes
// at the newest video on both index shapes, one before every video gives the empty end of
// the listing, and a time that is no time (Invalid Date) is the caller's bad page token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgument } from '../../src/domain/errors.ts';
import type { ListCursor } from '../../src/domain/ports.ts';
import { startDynalite, type IndexShape, type RunningDynalite } from '../support/dynalite.ts';
import { openStore, video } from './dynamo-fixtures.ts';

let dynamo: RunningDynalite;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});

const lastId = 'ffffffff-ffff-4fff-bfff-ffffffffffff';
const firstId = '00000000-0000-4000-8000-000000000000';

describe.each<IndexShape>(['owner-time', 'owner-only'])('cursor times out of range with a %s index', (shape) => {
  it('resumes at the newest video after year 9999, ends before every video, and refuses an Invalid Date as page_token', async () => {
    const { store } = await openStore(dynamo.endpoint, shape);
    const base = Date.UTC(2024, 0, 1);
    for (let i = 0; i < 5; i++) await store.create(video('edge', {}, new Date(base + i * 1000)));
    const newest = await store.list({ ownerId: 'edge', limit: 3 });
    const ids = newest.videos.map((v) => v.videoId);

    const far: ListCursor[] = [
      { createTime: new Date(8.64e15), videoId: lastId }, // +275760-09-13, the last Date
      { createTime: new Date(Date.UTC(10000, 0, 1)), videoId: firstId }, // "+010000-…"
      { createTime: new Date('9999-12-31T23:59:59.999Z'), videoId: lastId },
    ];
    for (const after of far) {
      const page = await store.list({ ownerId: 'edge', limit: 3, after });
      expect({ after: after.createTime.toISOString(), ids: page.videos.map((v) => v.videoId), more: page.next !== undefined }).toEqual({
        after: after.createTime.toISOString(),
        ids,
        more: true,
      });
      const filtered = await store.list({ ownerId: 'edge', limit: 3, after, status: 'UPLOADED' });
      expect(filtered.videos.map((v) => v.videoId)).toEqual(ids);
    }

    for (const createTime of [new Date(-8.64e15), new Date(Date.UTC(-1, 0, 1)), new Date(0)]) {
      expect(await store.list({ ownerId: 'edge', limit: 3, after: { createTime, videoId: lastId } })).toEqual({ videos: [] });
    }

    for (const time of [8.64e15 + 1, -8.64e15 - 1, Number.MAX_VALUE, NaN]) {
      const failure = await store.list({ ownerId: 'edge', limit: 3, after: { createTime: new Date(time), videoId: lastId } }).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(InvalidArgument);
      expect((failure as InvalidArgument).field).toBe('page_token');
    }
  });
});
