// The owner-and-status index (SPEC §1): a status-filtered page is one Query however many
// of the owner's videos the filter skips, every write keeps the index key in step with
// the status, and the order, ties and cursor rules are those of every other list path.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowedFrom } from '../../src/domain/lifecycle.ts';
import type { ListQuery } from '../../src/domain/ports.ts';
import type { Video, VideoStatus } from '../../src/domain/video.ts';
import { documentClient } from '../../src/adapters/dynamo/client.ts';
import { toItem } from '../../src/adapters/dynamo/item.ts';
import { countRequests } from '../../src/adapters/dynamo/request-counter.ts';
import type { DynamoVideoStore } from '../../src/adapters/dynamo/store.ts';
import { startDynalite, type RunningDynalite } from '../support/dynalite.ts';
import { openStore, video } from './dynamo-fixtures.ts';

let dynamo: RunningDynalite;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});

/** Writes videos straight into the table (25 per BatchWriteItem), as the store would write them. */
async function load(client: DynamoDBClient, table: string, videos: readonly Video[]): Promise<void> {
  for (let start = 0; start < videos.length; start += 25) {
    const puts = videos.slice(start, start + 25).map((v) => ({ PutRequest: { Item: toItem(v) } }));
    await documentClient(client).send(new BatchWriteCommand({ RequestItems: { [table]: puts } }));
  }
}

async function walk(store: DynamoVideoStore, query: Omit<ListQuery, 'after'>): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let after: ListQuery['after'];
  let pages = 0;
  do {
    const page = await store.list({ ...query, after });
    ids.push(...page.videos.map((v) => v.videoId));
    after = page.next;
    pages++;
  } while (after !== undefined);
  return { ids, pages };
}

describe('status-filtered lists on the owner-and-status index', () => {
  it('cost exactly one Query per page with 2 000 non-matching videos in the owner\'s partition, where the filtered read costs many', async () => {
    const base = Date.UTC(2024, 0, 1);
    const owner = 'busy';
    const completed = Array.from({ length: 2_000 }, (_, i) => video(owner, { status: 'COMPLETED' }, new Date(base + i * 1_000)));
    // Three waiting videos: one newer than all, one in the middle, one older than all.
    const waiting = [base + 2_500_000, base + 1_000_500, base - 1_000].map((at) => video(owner, {}, new Date(at)));
    const wanted = [...waiting].sort((a, b) => b.createTime.getTime() - a.createTime.getTime()).map((v) => v.videoId);
    const costs: Record<string, { first: number; walk: number }> = {};

    for (const shape of ['owner-time-and-status', 'owner-time'] as const) {
      const { store, client, table } = await openStore(dynamo.endpoint, shape);
      await load(client, table, [...completed, ...waiting]);
      const counter = countRequests(client);
      const first = await store.list({ ownerId: owner, limit: 2, status: 'UPLOADED' });
      costs[shape] = { first: counter.counts.get('Query') ?? 0, walk: 0 };
      expect(first.videos.map((v) => v.videoId)).toEqual(wanted.slice(0, 2));
      expect(counter.total()).toBe(counter.counts.get('Query'));
      counter.reset();
      const second = await store.list({ ownerId: owner, limit: 2, status: 'UPLOADED', after: first.next });
      expect(second.videos.map((v) => v.videoId)).toEqual(wanted.slice(2));
      expect(second.next).toBeUndefined();
      costs[shape].walk = costs[shape].first + (counter.counts.get('Query') ?? 0);
      if (shape === 'owner-time-and-status') {
        expect(store.filterMode).toBe('owner-status-index');
        expect(costs[shape]).toEqual({ first: 1, walk: 2 });
      } else {
        expect(store.filterMode).toBe('filter');
      }
    }
    console.log(`2 000 COMPLETED + 3 UPLOADED videos, pages of 2 filtered by UPLOADED: Queries (first page, whole walk) ${JSON.stringify(costs)}`);
    expect(costs['owner-time']!.walk).toBeGreaterThan(2);
  });

  it('lists the same videos in the same order, ties by video id, as the filtered read, walking pages of every size', async () => {
    const base = Date.UTC(2024, 5, 1);
    const owner = 'ties';
    const statuses: VideoStatus[] = ['UPLOADED', 'COMPLETED', 'FAILED'];
    // Groups of equal createdAt that page boundaries fall inside, mixed statuses.
    const videos = Array.from({ length: 60 }, (_, i) => video(owner, { status: statuses[i % 3] }, new Date(base + Math.floor(i / 7) * 1_000)));
    const indexed = await openStore(dynamo.endpoint, 'owner-time-and-status');
    const filtered = await openStore(dynamo.endpoint, 'owner-time');
    await load(indexed.client, indexed.table, videos);
    await load(filtered.client, filtered.table, videos);
    for (const status of statuses) {
      const expected = (await walk(filtered.store, { ownerId: owner, limit: 1_000, status })).ids;
      expect(expected).toHaveLength(20);
      for (const limit of [1, 3, 7, 20]) {
        const { ids, pages } = await walk(indexed.store, { ownerId: owner, limit, status });
        expect(ids, `${status} in pages of ${limit}`).toEqual(expected);
        expect(pages).toBe(Math.max(1, Math.ceil(20 / limit)));
      }
    }
  });

  it('moves a video between status keys in the write that changes its status, and keeps the key on other updates', async () => {
    const { store, client, table } = await openStore(dynamo.endpoint, 'owner-time-and-status');
    const v = await store.create(video('mover'));
    const keyOf = async () =>
      (await documentClient(client).send(new GetCommand({ TableName: table, Key: { ownerId: 'mover', videoId: v.videoId }, ConsistentRead: true }))).Item
        ?.ownerStatus;
    const listed = async (status: VideoStatus) => (await store.list({ ownerId: 'mover', limit: 10, status })).videos.map((x) => x.videoId);
    expect(await keyOf()).toBe('mover#uploaded');
    expect(await listed('UPLOADED')).toEqual([v.videoId]);

    await store.update(v, { fields: { status: 'TRANSCODING' }, updateTime: new Date() }, { version: 1, statusIn: allowedFrom('TRANSCODING') });
    expect(await keyOf()).toBe('mover#transcoding');
    expect([await listed('UPLOADED'), await listed('TRANSCODING')]).toEqual([[], [v.videoId]]);

    await store.update(v, { fields: { title: 'renamed' }, updateTime: new Date() }, {});
    expect(await keyOf()).toBe('mover#transcoding');
    expect(await listed('TRANSCODING')).toEqual([v.videoId]);

    await store.delete(v, {});
    expect(await listed('TRANSCODING')).toEqual([]);
  });
});
