// Newest-first listing when the owner index has no sort key (the production OwnerIndex):
// read the owner's whole partition from the base table, order it in memory, cut the
// page — correct, but each page costs the whole partition (see bench/dynamo-partition-list.ts).
import { QueryCommand, type DynamoDBDocumentClient, type NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import type { ListPage, ListQuery } from '../../domain/ports.ts';
import type { Video } from '../../domain/video.ts';
import type { CallScope } from './call-scope.ts';
import { statusFilter } from './status.ts';
import { fromItem } from './item.ts';
import { matches, takePage } from './list-order.ts';

/** One newest-first page by reading every item of the owner's partition (base table, paginated). */
export async function listByPartition(doc: DynamoDBDocumentClient, table: string, query: ListQuery, scope: CallScope): Promise<ListPage> {
  const filter = query.status === undefined ? undefined : statusFilter(query.status);
  const candidates: Video[] = [];
  let startKey: Record<string, NativeAttributeValue> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: '#ownerId = :ownerId',
        FilterExpression: filter?.condition,
        ExpressionAttributeNames: { '#ownerId': 'ownerId', ...filter?.names },
        ExpressionAttributeValues: { ':ownerId': query.ownerId, ...filter?.values },
        ExclusiveStartKey: startKey,
      }),
      scope.send,
    );
    for (const item of page.Items ?? []) {
      const video = fromItem(item);
      if (matches(video, query)) candidates.push(video);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return takePage(candidates, query);
}
