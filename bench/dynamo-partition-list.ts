// What a list page costs on the production OwnerIndex (no sort key: the owner's whole
// partition is read per page) against the owner/time index, for one owner with 10 000
// videos, on dynalite over loopback. Run: npx tsx bench/dynamo-partition-list.ts [videos]
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../src/adapters/dynamo/client.ts';
import { toItem } from '../src/adapters/dynamo/item.ts';
import { countRequests } from '../src/adapters/dynamo/request-counter.ts';
import { DynamoVideoStore } from '../src/adapters/dynamo/store.ts';
import type { ListQuery } from '../src/domain/ports.ts';
import { newVideo } from '../src/domain/new-video.ts';
import { createVideosTable, startDynalite, testClient, type IndexShape } from '../test/support/dynalite.ts';

const videoCount = Number(process.argv[2] ?? 10_000);
const ownerId = 'bench-owner';
const repetitions = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function fill(endpoint: string, table: string): Promise<void> {
  const doc = documentClient(testClient(endpoint));
  const statuses = ['UPLOADED', 'TRANSCODING', 'TRANSCODED', 'COMPLETED', 'FAILED'] as const;
  const base = Date.UTC(2023, 0, 1);
  let batch: Record<string, unknown>[] = [];
  for (let i = 0; i < videoCount; i++) {
    const video = newVideo(
      { ownerId, videoId: crypto.randomUUID() },
      {
        originalName: `clip-${i}.mp4`,
        status: statuses[i % statuses.length],
        originalKey: `originals/${ownerId}/clip-${i}.mp4`,
        transcodedKey: `transcoded/${ownerId}/clip-${i}.mp4`,
        thumbKey: `thumbs/${ownerId}/clip-${i}.jpg`,
        durationSeconds: 60 + i,
        format: 'mp4',
        width: 1920,
        height: 1080,
        sizeBytes: 50_000_000n + BigInt(i),
        labels: { series: `s${i % 10}` },
      },
      new Date(base + i * 1000),
    );
    batch.push({ PutRequest: { Item: toItem(video) } });
    if (batch.length === 25 || i === videoCount - 1) {
      await doc.send(new BatchWriteCommand({ RequestItems: { [table]: batch } }));
      batch = [];
    }
  }
}

async function measure(shape: IndexShape): Promise<void> {
  const dynamo = await startDynalite();
  try {
    const names = { table: 'videos', ownerIndex: 'OwnerIndex' };
    const client = testClient(dynamo.endpoint);
    await createVideosTable(client, names, shape);
    await fill(dynamo.endpoint, names.table);
    const store = await DynamoVideoStore.open({ ...names, client, logger: { warn: () => {} } });
    const counter = countRequests(client);
    // A cursor halfway down the owner's list, for a "deep" page.
    const middle = (await store.list({ ownerId, limit: 1000 })).videos.at(-1);
    const cases: [string, ListQuery][] = [
      ['first page, 50', { ownerId, limit: 50 }],
      ['deep page (after 1000), 50', { ownerId, limit: 50, after: middle && { createTime: middle.createTime, videoId: middle.videoId } }],
      ['first page, 1000', { ownerId, limit: 1000 }],
      ['filtered (status FAILED), 50', { ownerId, limit: 50, status: 'FAILED' }],
    ];
    for (const [label, query] of cases) {
      const times: number[] = [];
      let requests = 0;
      for (let i = 0; i < repetitions; i++) {
        counter.reset();
        const started = performance.now();
        await store.list(query);
        times.push(performance.now() - started);
        requests = counter.total();
      }
      console.log(`${shape.padEnd(10)} ${label.padEnd(30)} requests ${String(requests).padStart(3)}   median ${median(times).toFixed(1).padStart(7)} ms`);
    }
    await store.close();
    client.destroy();
  } finally {
    await dynamo.stop();
  }
}

console.log(`one owner with ${videoCount} videos, dynalite on 127.0.0.1, median of ${repetitions}`);
await measure('owner-time');
await measure('owner-only');
