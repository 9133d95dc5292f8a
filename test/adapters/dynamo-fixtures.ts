// Shared set-up for the DynamoDB adapter tests: one dynalite per file, a fresh table per
// test (unique name), and video builders through the domain's own constructor.
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { newVideo } from '../../src/domain/new-video.ts';
import type { VideoDraft } from '../../src/domain/validation.ts';
import type { Video } from '../../src/domain/video.ts';
import { DynamoVideoStore } from '../../src/adapters/dynamo/store.ts';
import { createVideosTable, testClient, type IndexShape } from '../support/dynalite.ts';

let tableCount = 0;

/** A unique table name per test, so tests on one dynalite never see each other's items. */
export function uniqueNames(): { table: string; ownerIndex: string } {
  tableCount += 1;
  return { table: `videos_${process.pid}_${tableCount}`, ownerIndex: 'OwnerIndex' };
}

/** Creates a table in `shape` on `endpoint` and opens a store on it with its own client. */
export async function openStore(
  endpoint: string,
  shape: IndexShape,
  warnings: string[] = [],
): Promise<{ store: DynamoVideoStore; client: DynamoDBClient; table: string; ownerIndex: string }> {
  const names = uniqueNames();
  const client = testClient(endpoint);
  await createVideosTable(client, names, shape);
  const store = await DynamoVideoStore.open({ ...names, client, logger: { warn: (message) => warnings.push(message) } });
  return { store, client, ...names };
}

/** A valid new video for `ownerId`, created at `at` (default now), with draft overrides. */
export function video(ownerId: string, draft: VideoDraft = {}, at = new Date(), videoId = randomUUID()): Video {
  return newVideo({ ownerId, videoId }, { originalName: 'clip.mp4', ...draft }, at);
}
