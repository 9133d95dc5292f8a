// Counts the HTTP requests a DynamoDB client sends, per operation, for tests, benches
// and cost checks. Counted at the innermost step, so every retry attempt counts.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface RequestCounter {
  /** Requests per operation name (GetItem, Query, …) since the last reset. */
  readonly counts: ReadonlyMap<string, number>;
  total(): number;
  reset(): void;
}

/** Attaches a counting middleware to `client` (once per client) and returns its counter. */
export function countRequests(client: DynamoDBClient): RequestCounter {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
      return next(args);
    },
    { step: 'deserialize', name: 'videosvcRequestCounter', override: true },
  );
  return {
    counts,
    total: () => [...counts.values()].reduce((sum, count) => sum + count, 0),
    reset: () => counts.clear(),
  };
}
