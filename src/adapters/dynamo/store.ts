// The VideoStore port over DynamoDB, in the production table layout (SPEC §1).
// Every write is one conditional request; a failed condition is explained afterwards.
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { AlreadyExists, StoreUnavailable } from '../../domain/errors.ts';
import type { ListPage, ListQuery, Precondition, VideoChange, VideoStore } from '../../domain/ports.ts';
import type { Video, VideoKey } from '../../domain/video.ts';
import { batchGet } from './batch-get.ts';
import { checkTable, type ListMode } from './check-table.ts';
import { createDynamoClient, documentClient } from './client.ts';
import { diagnose, updateExpression, writeCondition, type CurrentState } from './conditions.ts';
import { errorName, toStoreError } from './errors.ts';
import { fromItem, toItem, type Item } from './item.ts';
import { listByIndex } from './list-by-index.ts';
import { listByPartition } from './list-by-partition.ts';

export interface DynamoStoreOptions {
  readonly table: string;
  readonly ownerIndex: string;
  /** Defaults to a client configured from the AWS SDK environment (see client.ts). */
  readonly client?: DynamoDBClient;
  readonly logger?: { warn(message: string): void };
}

// A failed condition whose re-read shows the precondition holding means the item changed
// in between; the write is tried again, a few times at most.
const maxConditionAttempts = 3;

function sdkErrorItem(err: unknown): Record<string, { N?: string; S?: string }> | undefined {
  return (err as { Item?: Record<string, { N?: string; S?: string }> }).Item;
}

/** DynamoDB-backed VideoStore; open() checks the table before anything is served. */
export class DynamoVideoStore implements VideoStore {
  private readonly doc: DynamoDBDocumentClient;

  private constructor(
    private readonly client: DynamoDBClient,
    private readonly ownsClient: boolean,
    private readonly table: string,
    private readonly ownerIndex: string,
    /** How list pages are read, decided from the index's key schema at open. */
    readonly listMode: ListMode,
  ) {
    this.doc = documentClient(client);
  }

  /** Checks table and owner index (DescribeTable) and opens the store; throws DynamoSetupError. */
  static async open(options: DynamoStoreOptions): Promise<DynamoVideoStore> {
    const client = options.client ?? createDynamoClient();
    try {
      const check = await checkTable(client, options);
      if (check.warning !== undefined) options.logger?.warn(check.warning);
      return new DynamoVideoStore(client, options.client === undefined, options.table, options.ownerIndex, check.listMode);
    } catch (err) {
      if (options.client === undefined) client.destroy();
      throw err;
    }
  }

  async create(video: Video): Promise<Video> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: toItem(video),
          ConditionExpression: 'attribute_not_exists(videoId)',
        }),
      );
      return video;
    } catch (err) {
      if (errorName(err) === 'ConditionalCheckFailedException') {
        throw AlreadyExists.video(video);
      }
      throw toStoreError(err, this.table, 'PutItem');
    }
  }

  async get(key: VideoKey): Promise<Video | undefined> {
    const item = await this.read(key);
    return item === undefined ? undefined : fromItem(item);
  }

  async getMany(ownerId: string, videoIds: readonly string[]): Promise<Video[]> {
    try {
      return await batchGet(this.doc, this.table, ownerId, videoIds);
    } catch (err) {
      throw toStoreError(err, this.table, 'BatchGetItem');
    }
  }

  async list(query: ListQuery): Promise<ListPage> {
    try {
      return this.listMode === 'owner-time-index'
        ? await listByIndex(this.doc, { table: this.table, index: this.ownerIndex }, query)
        : await listByPartition(this.doc, this.table, query);
    } catch (err) {
      throw toStoreError(err, this.table, 'Query');
    }
  }

  async update(key: VideoKey, change: VideoChange, expect: Precondition): Promise<Video> {
    const expression = updateExpression(change, expect);
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { ownerId: key.ownerId, videoId: key.videoId },
            UpdateExpression: expression.update,
            ConditionExpression: expression.condition,
            ExpressionAttributeNames: expression.names,
            ExpressionAttributeValues: expression.values,
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return fromItem(result.Attributes ?? {});
      } catch (err) {
        await this.explainFailure(err, key, expect, change.fields.status, attempt, 'UpdateItem');
      }
    }
  }

  async delete(key: VideoKey, expect: Precondition): Promise<void> {
    const condition = writeCondition(expect);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.doc.send(
          new DeleteCommand({
            TableName: this.table,
            Key: { ownerId: key.ownerId, videoId: key.videoId },
            ConditionExpression: condition.condition,
            ExpressionAttributeNames: Object.keys(condition.names).length > 0 ? condition.names : undefined,
            ExpressionAttributeValues: Object.keys(condition.values).length > 0 ? condition.values : undefined,
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return;
      } catch (err) {
        await this.explainFailure(err, key, expect, undefined, attempt, 'DeleteItem');
      }
    }
  }

  async ping(): Promise<void> {
    try {
      await this.client.send(new DescribeTableCommand({ TableName: this.table }));
    } catch (err) {
      throw toStoreError(err, this.table, 'DescribeTable');
    }
  }

  async close(): Promise<void> {
    // A client handed in belongs to the caller, who may share it.
    if (this.ownsClient) this.client.destroy();
  }

  /** A consistent GetItem (read-your-writes, as the contract expects after a write). */
  private async read(key: VideoKey): Promise<Item | undefined> {
    try {
      const result = await this.doc.send(
        new GetCommand({ TableName: this.table, Key: { ownerId: key.ownerId, videoId: key.videoId }, ConsistentRead: true }),
      );
      return result.Item;
    } catch (err) {
      throw toStoreError(err, this.table, 'GetItem');
    }
  }

  /**
   * Throws the domain error for a failed conditional write. The old item comes with the
   * error where DynamoDB returns it (ReturnValuesOnConditionCheckFailure); otherwise —
   * dynalite, or the item is gone — one consistent GetItem tells. Returns (so the caller
   * retries) only when the precondition now holds and attempts remain.
   */
  private async explainFailure(
    err: unknown,
    key: VideoKey,
    expect: Precondition,
    requestedStatus: Video['status'] | undefined,
    attempt: number,
    operation: string,
  ): Promise<void> {
    if (errorName(err) !== 'ConditionalCheckFailedException') throw toStoreError(err, this.table, operation);
    const raw = sdkErrorItem(err);
    let current: CurrentState | undefined;
    if (raw !== undefined) {
      current = { version: Number(raw.version?.N ?? 0), statusWord: raw.status?.S };
    } else {
      const item = await this.read(key);
      current = item === undefined ? undefined : { version: fromItem(item).version, statusWord: item.status };
    }
    const reason = diagnose(key, current, expect, requestedStatus);
    if (reason !== undefined) throw reason;
    if (attempt >= maxConditionAttempts) {
      throw new StoreUnavailable('the video changed repeatedly while being written; retry', { cause: err });
    }
  }
}
