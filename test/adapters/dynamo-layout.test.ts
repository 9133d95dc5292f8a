// Compatibility with the table already in production (SPEC §1): items the older
// application wrote load and change correctly, and what the service writes is the
// production layout attribute by attribute. Checked with raw low-level requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetItemCommand, PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { allowedFrom } from '../../src/domain/lifecycle.ts';
import { IllegalTransition } from '../../src/domain/errors.ts';
import { workShardOf } from '../../src/adapters/dynamo/work-index.ts';
import { startDynalite, type IndexShape, type RunningDynalite } from '../support/dynalite.ts';
import { openStore, video } from './dynamo-fixtures.ts';

let dynamo: RunningDynalite;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});

const legacyId = '0b9b6f2e-3c1d-4e5f-8a7b-9c0d1e2f3a4b';

// Exactly as the older application wrote it: no version, no labels, no thumbKey, lowercase status.
function legacyItem(videoId: string, createdAt: string, status = 'transcoded'): Record<string, AttributeValue> {
  return {
    ownerId: { S: 'legacy-user' },
    videoId: { S: videoId },
    originalName: { S: 'holiday.mov' },
    title: { S: 'Holiday' },
    status: { S: status },
    originalKey: { S: 'originals/holiday.mov' },
    transcodedKey: { S: 'transcoded/holiday.mp4' },
    duration: { N: '93.5' },
    format: { S: 'mp4' },
    width: { N: '1280' },
    height: { N: '720' },
    sizeBytes: { N: '123456789' },
    createdAt: { S: createdAt },
    updatedAt: { S: createdAt },
  };
}

async function rawGet(client: DynamoDBClient, table: string, ownerId: string, videoId: string) {
  const result = await client.send(
    new GetItemCommand({ TableName: table, Key: { ownerId: { S: ownerId }, videoId: { S: videoId } }, ConsistentRead: true }),
  );
  return result.Item;
}

describe.each<IndexShape>(['owner-time', 'owner-only'])('production layout with a %s index', (shape) => {
  it('reads, lists, updates and deletes items the older application wrote', async () => {
    const { store, client, table } = await openStore(dynamo.endpoint, shape);
    const olderId = '1b9b6f2e-3c1d-4e5f-8a7b-9c0d1e2f3a4b';
    await client.send(new PutItemCommand({ TableName: table, Item: legacyItem(legacyId, '2023-05-01T10:00:00.000Z') }));
    await client.send(new PutItemCommand({ TableName: table, Item: legacyItem(olderId, '2023-04-01T10:00:00.000Z', 'uploaded') }));

    const read = await store.get({ ownerId: 'legacy-user', videoId: legacyId });
    expect(read).toEqual({
      ownerId: 'legacy-user',
      videoId: legacyId,
      originalName: 'holiday.mov',
      title: 'Holiday',
      status: 'TRANSCODED',
      originalKey: 'originals/holiday.mov',
      transcodedKey: 'transcoded/holiday.mp4',
      thumbKey: '',
      durationSeconds: 93.5,
      format: 'mp4',
      width: 1280,
      height: 720,
      sizeBytes: 123456789n,
      labels: {},
      failureReason: '',
      createTime: new Date('2023-05-01T10:00:00.000Z'),
      updateTime: new Date('2023-05-01T10:00:00.000Z'),
      version: 0,
      claim: undefined,
      attemptCount: 0,
    });
    const page = await store.list({ ownerId: 'legacy-user', limit: 10 });
    expect(page.videos.map((v) => v.videoId)).toEqual([legacyId, olderId]);
    expect((await store.list({ ownerId: 'legacy-user', limit: 10, status: 'UPLOADED' })).videos.map((v) => v.videoId)).toEqual([olderId]);

    // The etag of a legacy item is version 0; a status change checks the lowercase word.
    const updated = await store.update(
      { ownerId: 'legacy-user', videoId: legacyId },
      { fields: { status: 'COMPLETED', thumbKey: 'thumbs/h.jpg' }, updateTime: new Date('2024-01-01T00:00:00.000Z') },
      { version: 0, statusIn: allowedFrom('COMPLETED') },
    );
    expect(updated).toMatchObject({ status: 'COMPLETED', thumbKey: 'thumbs/h.jpg', version: 1, title: 'Holiday' });
    const raw = await rawGet(client, table, 'legacy-user', legacyId);
    expect(raw?.status).toEqual({ S: 'completed' });
    expect(raw?.version).toEqual({ N: '1' });
    expect(raw?.updatedAt).toEqual({ S: '2024-01-01T00:00:00.000Z' });

    await store.delete({ ownerId: 'legacy-user', videoId: olderId }, { version: 0 });
    expect(await rawGet(client, table, 'legacy-user', olderId)).toBeUndefined();
  });

  it('writes exactly the SPEC §1 attributes, omitting empty and unknown values', async () => {
    const { store, client, table } = await openStore(dynamo.endpoint, shape);
    const full = await store.create({
      ...video('writer', {
        title: 'Title',
        status: 'TRANSCODING',
        originalKey: 'o',
        transcodedKey: 't',
        thumbKey: 'th',
        durationSeconds: 1.5,
        format: 'mp4',
        width: 640,
        height: 480,
        sizeBytes: 18446744073709551615n,
        labels: { team: 'red', empty: '' },
        failureReason: 'first try timed out',
      }, new Date('2024-02-03T04:05:06.789Z')),
      claim: { workerId: 'worker-1', expireTime: new Date('2024-02-03T04:10:06.789Z') },
      attemptCount: 3,
    });
    expect(await rawGet(client, table, 'writer', full.videoId)).toEqual({
      ownerId: { S: 'writer' },
      videoId: { S: full.videoId },
      originalName: { S: 'clip.mp4' },
      title: { S: 'Title' },
      status: { S: 'transcoding' },
      originalKey: { S: 'o' },
      transcodedKey: { S: 't' },
      thumbKey: { S: 'th' },
      duration: { N: '1.5' },
      format: { S: 'mp4' },
      width: { N: '640' },
      height: { N: '480' },
      sizeBytes: { N: '18446744073709551615' },
      createdAt: { S: '2024-02-03T04:05:06.789Z' },
      updatedAt: { S: '2024-02-03T04:05:06.789Z' },
      version: { N: '1' },
      labels: { M: { team: { S: 'red' }, empty: { S: '' } } },
      failureReason: { S: 'first try timed out' },
      claimWorker: { S: 'worker-1' },
      claimExpiresAt: { S: '2024-02-03T04:10:06.789Z' },
      attempts: { N: '3' },
      // The owner-and-status index key (owner-status.ts), the lowercase status word.
      ownerStatus: { S: 'writer#transcoding' },
      // The work index keys (work-index.ts): a claimed video waits for its claim's expiry.
      readyAt: { S: '2024-02-03T04:10:06.789Z' },
      workShard: { N: String(workShardOf('writer', full.videoId)) },
    });

    const bare = await store.create(video('writer', {}, new Date('2024-02-03T04:05:06.000Z')));
    expect(await rawGet(client, table, 'writer', bare.videoId)).toEqual({
      ownerId: { S: 'writer' },
      videoId: { S: bare.videoId },
      originalName: { S: 'clip.mp4' },
      title: { S: 'clip.mp4' },
      status: { S: 'uploaded' },
      createdAt: { S: '2024-02-03T04:05:06.000Z' },
      updatedAt: { S: '2024-02-03T04:05:06.000Z' },
      version: { N: '1' },
      ownerStatus: { S: 'writer#uploaded' },
      // An UPLOADED video waits from its creation.
      readyAt: { S: '2024-02-03T04:05:06.000Z' },
      workShard: { N: String(workShardOf('writer', bare.videoId)) },
    });

    // Clearing fields removes the attributes instead of storing "" or 0.
    await store.update(full, { fields: { title: '', thumbKey: '', width: 0, durationSeconds: 0, sizeBytes: 0n, labels: {}, failureReason: '' }, updateTime: new Date() }, {});
    const cleared = await rawGet(client, table, 'writer', full.videoId);
    for (const attribute of ['title', 'thumbKey', 'width', 'duration', 'sizeBytes', 'labels', 'failureReason']) {
      expect(cleared, attribute).not.toHaveProperty(attribute);
    }
  });

  it('keeps a duration beyond DynamoDB\'s number range exactly, with `duration` clamped for older readers', async () => {
    const { store, client, table } = await openStore(dynamo.endpoint, shape);
    const huge = await store.create(video('writer', { durationSeconds: Number.MAX_VALUE }));
    const raw = await rawGet(client, table, 'writer', huge.videoId);
    expect(Number(raw?.duration?.N)).toBeGreaterThan(9.99e125); // DynamoDB's largest number
    expect(Number(raw?.duration?.N)).toBeLessThanOrEqual(1e126);
    expect(raw?.durationExact).toEqual({ S: String(Number.MAX_VALUE) });
    expect((await store.get(huge))?.durationSeconds).toBe(Number.MAX_VALUE);
    // Back in range: the extra attribute goes away.
    await store.update(huge, { fields: { durationSeconds: 60 }, updateTime: new Date() }, {});
    const after = await rawGet(client, table, 'writer', huge.videoId);
    expect([after?.duration, after?.durationExact]).toEqual([{ N: '60' }, undefined]);
  });

  it('reads odd legacy values without failing: any case, a missing status, an unknown word', async () => {
    const { store, client, table } = await openStore(dynamo.endpoint, shape);
    const ids = ['2b9b6f2e-3c1d-4e5f-8a7b-9c0d1e2f3a4b', '3b9b6f2e-3c1d-4e5f-8a7b-9c0d1e2f3a4b', '4b9b6f2e-3c1d-4e5f-8a7b-9c0d1e2f3a4b'];
    const upper = legacyItem(ids[0]!, '2023-01-01T00:00:00.000Z', 'COMPLETED');
    const missing = legacyItem(ids[1]!, '2023-01-02T00:00:00.000Z');
    delete missing.status;
    const unknown = legacyItem(ids[2]!, '2023-01-03T00:00:00.000Z', 'processing');
    for (const item of [upper, missing, unknown]) await client.send(new PutItemCommand({ TableName: table, Item: item }));

    const [a, b, c] = await Promise.all(ids.map((videoId) => store.get({ ownerId: 'legacy-user', videoId })));
    expect([a?.status, b?.status, c?.status]).toEqual(['COMPLETED', 'UPLOADED', 'FAILED']);
    expect((await store.list({ ownerId: 'legacy-user', limit: 5, status: 'FAILED' })).videos.map((v) => v.videoId)).toEqual([ids[2]]);
    expect((await store.list({ ownerId: 'legacy-user', limit: 5, status: 'UPLOADED' })).videos.map((v) => v.videoId)).toEqual([ids[1]]);

    // A missing status counts as UPLOADED for a transition; an unknown word is named as stored.
    const claimed = await store.update({ ownerId: 'legacy-user', videoId: ids[1]! }, { fields: { status: 'TRANSCODING' }, updateTime: new Date() }, { statusIn: allowedFrom('TRANSCODING') });
    expect(claimed.status).toBe('TRANSCODING');
    const refused = store.update({ ownerId: 'legacy-user', videoId: ids[2]! }, { fields: { status: 'UPLOADED' }, updateTime: new Date() }, { statusIn: allowedFrom('UPLOADED') });
    await expect(refused).rejects.toBeInstanceOf(IllegalTransition);
    await expect(refused).rejects.toThrow('cannot change from processing to UPLOADED');
  });
});
