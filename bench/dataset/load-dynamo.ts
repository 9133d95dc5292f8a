// Loads the dataset into the videos table on dynalite with BatchWriteItem (25 items a
// request, several requests in flight), items in the service's own layout (item.ts).
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { toItem } from '../../src/adapters/dynamo/item.ts';
import { videoBatches, type DatasetSize } from './dataset.ts';

const itemsPerRequest = 25; // DynamoDB's BatchWriteItem limit
const requestsInFlight = 8;

/** Writes every video of `size` into `table`; returns how many were written. */
export async function loadDynamo(doc: DynamoDBDocumentClient, table: string, size: DatasetSize): Promise<number> {
  let written = 0;
  for (const batch of videoBatches(size, itemsPerRequest * requestsInFlight)) {
    const requests: Promise<void>[] = [];
    for (let start = 0; start < batch.length; start += itemsPerRequest) {
      const items = batch.slice(start, start + itemsPerRequest).map((video) => ({ PutRequest: { Item: toItem(video) } }));
      requests.push(writeAll(doc, table, items));
    }
    await Promise.all(requests);
    written += batch.length;
  }
  return written;
}

// BatchWriteItem may hand back unprocessed items (throttling); they are sent again until none remain.
async function writeAll(doc: DynamoDBDocumentClient, table: string, items: Record<string, unknown>[]): Promise<void> {
  let pending: Record<string, unknown>[] | undefined = items;
  while (pending !== undefined && pending.length > 0) {
    const result = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
    pending = result.UnprocessedItems?.[table] as Record<string, unknown>[] | undefined;
  }
}
