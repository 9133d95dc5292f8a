// An older writer may have stored numbers as strings (width "1920" instead of N 1920).
// They still mean the number: read as such, never as "unknown" (0), which a later update
// with mask "*" would then write back as a loss.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { startDynalite, type IndexShape, type RunningDynalite } from '../support/dynalite.ts';
import { openStore } from './dynamo-fixtures.ts';

let dynamo: RunningDynalite;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});

it('reads duration, width, height, sizeBytes and version stored as numeric strings', async () => {
  const { store, client, table } = await openStore(dynamo.endpoint, 'owner-only');
  const videoId = '5b9b6f2e-3c1d-4e5f-8a7b-9c0d1e2f3a4b';
  await client.send(
    new PutItemCommand({
      TableName: table,
      Item: {
        ownerId: { S: 'strings' },
        videoId: { S: videoId },
        originalName: { S: 'a.mov' },
        status: { S: 'transcoded' },
        duration: { S: '93.5' },
        width: { S: '1920' },
        height: { S: ' 1080 ' },
        sizeBytes: { S: '18446744073709551615' },
        createdAt: { S: '2024-05-01T10:00:00Z' },
      },
    }),
  );
  expect(await store.get({ ownerId: 'strings', videoId })).toMatchObject({
    durationSeconds: 93.5,
    width: 1920,
    height: 1080,
    sizeBytes: 18446744073709551615n,
    version: 0,
    createTime: new Date('2024-05-01T10:00:00.000Z'),
  });
});

// The older writer checked nothing: numbers outside SPEC §1 made GetVideo and whole list
// pages INTERNAL (a uint32 cannot encode 2^33). They read clamped, and reading never
// rewrites the item.
const outOfRange: { name: string; stored: Record<string, AttributeValue>; reads: Record<string, unknown> }[] = [
  { name: 'negative', stored: { width: { N: '-640' }, height: { N: '-1' }, duration: { N: '-3.5' }, sizeBytes: { N: '-12' } }, reads: { width: 0, height: 0, durationSeconds: 0, sizeBytes: 0n } },
  { name: 'beyond uint32', stored: { width: { N: '8589934592' }, height: { N: '4294967296' }, sizeBytes: { N: '18446744073709551616' } }, reads: { width: 65535, height: 65535, sizeBytes: 2n ** 64n - 1n } },
  { name: 'fractional', stored: { width: { N: '1919.9' }, height: { N: '0.5' }, sizeBytes: { N: '1024.75' } }, reads: { width: 1919, height: 0, sizeBytes: 1024n } },
  { name: 'huge', stored: { width: { N: '9.9E+125' }, height: { S: '1e400' }, duration: { S: '1e400' }, sizeBytes: { N: '9.9E+125' } }, reads: { width: 65535, height: 65535, durationSeconds: Number.MAX_VALUE, sizeBytes: 2n ** 64n - 1n } },
  { name: 'not a number', stored: { width: { S: 'wide' }, height: { S: 'NaN' }, duration: { S: 'NaN' }, sizeBytes: { S: '-Infinity' } }, reads: { width: 0, height: 0, durationSeconds: 0, sizeBytes: 0n } },
  { name: 'just inside', stored: { width: { N: '65535' }, height: { N: '1' }, duration: { S: '0.001' }, sizeBytes: { S: '18446744073709551615' } }, reads: { width: 65535, height: 1, durationSeconds: 0.001, sizeBytes: 2n ** 64n - 1n } },
];

describe.each<IndexShape>(['owner-time', 'owner-only'])('legacy numbers outside SPEC §1 with a %s index', (shape) => {
  it.each(outOfRange)('$name width/height/duration/sizeBytes read clamped by get and list, and the item is left as stored', async ({ stored, reads }) => {
    const { store, client, table } = await openStore(dynamo.endpoint, shape);
    const videoId = randomUUID();
    const item = {
      ownerId: { S: 'clamped' },
      videoId: { S: videoId },
      originalName: { S: 'a.mov' },
      status: { S: 'uploaded' },
      createdAt: { S: '2024-05-01T10:00:00.000Z' },
      ...stored,
    };
    await client.send(new PutItemCommand({ TableName: table, Item: item }));
    const rawItem = async () =>
      (await client.send(new GetItemCommand({ TableName: table, Key: { ownerId: { S: 'clamped' }, videoId: { S: videoId } }, ConsistentRead: true }))).Item;
    const asStored = await rawItem();

    const expected = { width: 0, height: 0, durationSeconds: 0, sizeBytes: 0n, ...reads };
    expect(await store.get({ ownerId: 'clamped', videoId })).toMatchObject(expected);
    expect((await store.list({ ownerId: 'clamped', limit: 10 })).videos).toMatchObject([expected]);
    expect((await store.list({ ownerId: 'clamped', limit: 10, status: 'UPLOADED' })).videos).toMatchObject([expected]);
    expect(await store.getMany('clamped', [videoId])).toMatchObject([expected]);
    expect(await rawItem()).toEqual(asStored);
  });
});
