// An older writer may have stored numbers as strings (width "1920" instead of N 1920).
// They still mean the number: read as such, never as "unknown" (0), which a later update
// with mask "*" would then write back as a loss.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startDynalite, type RunningDynalite } from '../support/dynalite.ts';
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
