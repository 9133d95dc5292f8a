// Items may carry createdAt without milliseconds ("2024-05-01T10:00:00Z"). As strings
// those sort after every "…10:00:00.xxxZ" of the same second, although as times they are
// the oldest of it. The owner-partition path lists them newest first by time, every video
// once, at every page size. The owner/time index keeps one Query per page instead, so it
// orders them correctly within a page but may skip one of them when a page ends inside
// its second (see list-by-index.ts): here it is held to a page that holds them all.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { ListQuery, VideoStore } from '../../src/domain/ports.ts';
import type { VideoStatus } from '../../src/domain/video.ts';
import { startDynalite, type IndexShape, type RunningDynalite } from '../support/dynalite.ts';
import { openStore } from './dynamo-fixtures.ts';

let dynamo: RunningDynalite;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});

function item(videoId: string, createdAt: string, status: string): Record<string, AttributeValue> {
  return {
    ownerId: { S: 'old-times' },
    videoId: { S: videoId },
    originalName: { S: 'a.mov' },
    status: { S: status },
    createdAt: { S: createdAt },
    updatedAt: { S: createdAt },
  };
}

// Second-precision and millisecond-precision times interleaved, with ties on one instant
// across both spellings ("…10:00:00Z" and "…10:00:00.000Z").
const createdAts = [
  '2024-05-01T10:00:01Z',
  '2024-05-01T10:00:00.999Z',
  '2024-05-01T10:00:00.500Z',
  '2024-05-01T10:00:00.500Z',
  '2024-05-01T10:00:00.001Z',
  '2024-05-01T10:00:00Z',
  '2024-05-01T10:00:00Z',
  '2024-05-01T10:00:00Z',
  '2024-05-01T10:00:00.000Z',
  '2024-05-01T10:00:00.000Z',
  '2024-05-01T09:59:59.999Z',
  '2024-05-01T09:59:59Z',
  '2024-05-01T09:59:59Z',
  '2024-05-01T09:59:58.250Z',
];

async function listAll(store: VideoStore, query: Omit<ListQuery, 'after'>): Promise<string[]> {
  const ids: string[] = [];
  let after: ListQuery['after'];
  for (let pages = 0; pages < 100; pages++) {
    const page = await store.list({ ...query, after });
    expect(page.videos.length === query.limit || page.next === undefined, 'a short page is the last').toBe(true);
    ids.push(...page.videos.map((v) => v.videoId));
    if (!page.next) return ids;
    after = page.next;
  }
  throw new Error('listing did not end');
}

describe.each<IndexShape>(['owner-time', 'owner-only'])('createdAt without milliseconds, %s index', (shape) => {
  it('lists newest first by time, every video exactly once, with and without a status filter, at the page sizes its index shape supports', async () => {
    const { store, client, table } = await openStore(dynamo.endpoint, shape);
    const stored: { videoId: string; time: number; status: VideoStatus }[] = [];
    for (const [i, createdAt] of createdAts.entries()) {
      const status: VideoStatus = i % 3 === 0 ? 'FAILED' : 'UPLOADED';
      const videoId = randomUUID();
      await client.send(new PutItemCommand({ TableName: table, Item: item(videoId, createdAt, status.toLowerCase()) }));
      stored.push({ videoId, time: Date.parse(createdAt), status });
    }
    const newestFirst = (status?: VideoStatus) =>
      stored
        .filter((v) => status === undefined || v.status === status)
        .sort((a, b) => b.time - a.time || (a.videoId < b.videoId ? 1 : -1))
        .map((v) => v.videoId);

    const smallestLimit = shape === 'owner-only' ? 1 : createdAts.length;
    for (let limit = smallestLimit; limit <= createdAts.length + 1; limit++) {
      expect(await listAll(store, { ownerId: 'old-times', limit }), `limit ${limit}`).toEqual(newestFirst());
    }
    for (const limit of shape === 'owner-only' ? [1, 2, 3, 5] : [createdAts.length]) {
      expect(await listAll(store, { ownerId: 'old-times', status: 'FAILED', limit }), `FAILED, limit ${limit}`).toEqual(newestFirst('FAILED'));
      expect(await listAll(store, { ownerId: 'old-times', status: 'UPLOADED', limit }), `UPLOADED, limit ${limit}`).toEqual(newestFirst('UPLOADED'));
    }
  });
});
