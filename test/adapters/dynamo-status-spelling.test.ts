// One status rule (src/adapters/dynamo/status.ts) for reads, filters and conditions: a
// legacy item lists under the status it reads as and a status change from it succeeds
// exactly when the reader says it may; a stored value that is no status word (another
// word, a number, a map) reads as FAILED, is refused naming it at once, and is never
// rewritten by a write that does not set the status.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { IllegalTransition } from '../../src/domain/errors.ts';
import { allowedFrom } from '../../src/domain/lifecycle.ts';
import type { VideoStatus } from '../../src/domain/video.ts';
import { countRequests } from '../../src/adapters/dynamo/request-counter.ts';
import { startDynalite, type IndexShape, type RunningDynalite } from '../support/dynalite.ts';
import { openStore } from './dynamo-fixtures.ts';

let dynamo: RunningDynalite;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});

const owner = 'spellings';

// Each stored status value, what it reads as, and (for a non-status) how a refusal names it.
const stored: { status: AttributeValue | undefined; reads: VideoStatus; named?: string }[] = [
  { status: { S: 'uploaded' }, reads: 'UPLOADED' },
  { status: { S: 'Uploaded' }, reads: 'UPLOADED' },
  { status: { S: 'UPLOADED' }, reads: 'UPLOADED' },
  { status: { S: 'uPLOADED' }, reads: 'UPLOADED' },
  { status: { S: '' }, reads: 'UPLOADED' },
  { status: undefined, reads: 'UPLOADED' },
  { status: { S: 'tRaNsCoDiNg' }, reads: 'TRANSCODING' },
  { status: { S: 'Transcoded' }, reads: 'TRANSCODED' },
  { status: { S: 'compleTED' }, reads: 'COMPLETED' },
  { status: { S: 'FaIlEd' }, reads: 'FAILED' },
  { status: { S: 'processing' }, reads: 'FAILED', named: 'processing' },
  { status: { S: ' uploaded ' }, reads: 'FAILED', named: ' uploaded ' },
  { status: { N: '7' }, reads: 'FAILED', named: '7' },
  { status: { M: { word: { S: 'uploaded' } } }, reads: 'FAILED', named: 'a map' },
  { status: { NULL: true }, reads: 'FAILED', named: 'null' },
  { status: { BOOL: true }, reads: 'FAILED', named: 'true' },
];

function videoId(index: number): string {
  return `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
}

function legacyItem(index: number, status: AttributeValue | undefined): Record<string, AttributeValue> {
  return {
    ownerId: { S: owner },
    videoId: { S: videoId(index) },
    originalName: { S: 'old.mov' },
    createdAt: { S: new Date(Date.UTC(2023, 0, 1) + index * 1000).toISOString() },
    ...(status === undefined ? {} : { status }),
  };
}

describe.each<IndexShape>(['owner-time', 'owner-only'])('status spellings with a %s index', (shape) => {
  async function seeded() {
    const opened = await openStore(dynamo.endpoint, shape);
    for (const [index, { status }] of stored.entries()) {
      await opened.client.send(new PutItemCommand({ TableName: opened.table, Item: legacyItem(index, status) }));
    }
    return opened;
  }

  it('lists every item under the status it reads as, for each filter and page size, and nowhere else', async () => {
    const { store } = await seeded();
    for (const [index, { reads }] of stored.entries()) expect((await store.get({ ownerId: owner, videoId: videoId(index) }))?.status).toBe(reads);
    for (const status of ['UPLOADED', 'TRANSCODING', 'TRANSCODED', 'COMPLETED', 'FAILED'] as const) {
      const expected = [...stored.entries()].filter(([, s]) => s.reads === status).map(([index]) => videoId(index)).reverse();
      for (const limit of [1, 2, 100]) {
        const ids: string[] = [];
        let after;
        do {
          const page = await store.list({ ownerId: owner, status, limit, after });
          ids.push(...page.videos.map((v) => v.videoId));
          after = page.next;
        } while (after !== undefined);
        expect({ status, limit, ids }).toEqual({ status, limit, ids: expected });
      }
    }
  });

  it('changes the status of every item whose stored word reads as an allowed status, whatever its case', async () => {
    const { store, client, table } = await seeded();
    for (const [index, { reads, named }] of stored.entries()) {
      if (named !== undefined) continue;
      const to: VideoStatus = reads === 'UPLOADED' ? 'TRANSCODING' : reads === 'TRANSCODING' ? 'TRANSCODED' : reads === 'TRANSCODED' ? 'COMPLETED' : reads === 'FAILED' ? 'UPLOADED' : 'COMPLETED';
      const key = { ownerId: owner, videoId: videoId(index) };
      const updated = await store.update(key, { fields: { status: to }, updateTime: new Date() }, { version: 0, statusIn: allowedFrom(to) });
      expect({ index, status: updated.status, version: updated.version }).toEqual({ index, status: to, version: 1 });
      const raw = await client.send(new GetItemCommand({ TableName: table, Key: { ownerId: { S: owner }, videoId: { S: key.videoId } }, ConsistentRead: true }));
      expect(raw.Item?.status).toEqual({ S: to.toLowerCase() });
    }
    // A delete that names the statuses it may delete from follows the same rule.
    const upper = stored.findIndex((s) => s.status?.S === 'uPLOADED');
    await client.send(new PutItemCommand({ TableName: table, Item: legacyItem(upper, { S: 'uPLOADED' }) }));
    await store.delete({ ownerId: owner, videoId: videoId(upper) }, { statusIn: ['UPLOADED'] });
    expect(await store.get({ ownerId: owner, videoId: videoId(upper) })).toBeUndefined();
  });

  it('refuses a status change from a value that is no status at once, naming it, and never rewrites it otherwise', async () => {
    const { store, client, table } = await seeded();
    const counter = countRequests(client);
    for (const [index, { status, named }] of stored.entries()) {
      if (named === undefined) continue;
      const key = { ownerId: owner, videoId: videoId(index) };
      counter.reset();
      // FAILED → UPLOADED is a legal retry, so only the unknown value can refuse it.
      const refused = await store
        .update(key, { fields: { status: 'UPLOADED' }, updateTime: new Date() }, { statusIn: allowedFrom('UPLOADED') })
        .catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(IllegalTransition);
      expect((refused as Error).message).toBe(`status: cannot change from ${named} to UPLOADED`);
      // One conditional write, and one consistent read to explain it (dynalite returns no old item).
      expect(Object.fromEntries(counter.counts)).toEqual({ UpdateItem: 1, GetItem: 1 });

      const retitled = await store.update(key, { fields: { title: 'kept' }, updateTime: new Date() }, { version: 0 });
      expect([retitled.title, retitled.status]).toEqual(['kept', 'FAILED']);
      const raw = await client.send(new GetItemCommand({ TableName: table, Key: { ownerId: { S: owner }, videoId: { S: key.videoId } }, ConsistentRead: true }));
      expect(raw.Item?.status).toEqual(status);
    }
  });
});
