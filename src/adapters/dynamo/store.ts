// The VideoStore port over DynamoDB, in the production table layout (SPEC §1).
// Every write is one conditional request; a failed condition is explained afterwards.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { AlreadyExists, StoreUnavailable, WorkIndexMissing } from '../../domain/errors.ts';
import type { ClaimGrant, ClaimRenewal, ListPage, ListQuery, Precondition, StoreCallOptions, VideoChange, VideoStore } from '../../domain/ports.ts';
import type { Video, VideoKey } from '../../domain/video.ts';
import { batchGet } from './batch-get.ts';
import { withinScope, type CallScope } from './call-scope.ts';
import { WorkClaims } from './claim-next.ts';
import type { FilterMode } from './check-status-index.ts';
import { checkTable, type ListMode } from './check-table.ts';
import { createDynamoClient, documentClient } from './client.ts';
import { writeConditionally } from './conditional-write.ts';
import { updateExpression, writeCondition } from './conditions.ts';
import { errorName, toStoreError } from './errors.ts';
import { fromItem, toItem, type Item } from './item.ts';
import { listByIndex } from './list-by-index.ts';
import { listByPartition } from './list-by-partition.ts';
import { checkCursor } from './list-order.ts';
import { CachedPing } from './readiness.ts';
import { renewClaim } from './renew-claim.ts';
import { statusChangeWrites } from './status-change-writes.ts';
import { readStatus } from './status.ts';
import { defaultStatusIndex } from './table-shape.ts';
import { defaultWorkIndex } from './work-index.ts';

export interface DynamoStoreOptions {
  readonly table: string;
  readonly ownerIndex: string;
  /** The owner-and-status index (SPEC §1); default `OwnerStatusIndex`, as SPEC §5. */
  readonly statusIndex?: string;
  /** The work index (SPEC §9); default `WorkIndex`, as SPEC §5. */
  readonly workIndex?: string;
  /** Defaults to a client configured from the AWS SDK environment (see client.ts). */
  readonly client?: DynamoDBClient;
  readonly logger?: { warn(message: string): void };
}

// A key no video can have (owner ids are [A-Za-z0-9._@-]): what the readiness read asks for.
const pingKey = { ownerId: '#readiness', videoId: '#readiness' };

/** DynamoDB-backed VideoStore; open() checks the table before anything is served. */
export class DynamoVideoStore implements VideoStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly readiness = new CachedPing((options) => this.readinessRead(options));
  private readonly claims: WorkClaims;

  private constructor(
    private readonly client: DynamoDBClient,
    private readonly ownsClient: boolean,
    private readonly table: string,
    private readonly ownerIndex: string,
    private readonly statusIndex: string,
    /** How list pages are read, decided from the index's key schema at open. */
    readonly listMode: ListMode,
    /** How status-filtered pages are read, decided from the owner-and-status index at open. */
    readonly filterMode: FilterMode,
    workIndex: string,
    /** Why claims cannot run (no usable work index at open); undefined when they can. */
    private readonly claimsUnusable: string | undefined,
  ) {
    this.doc = documentClient(client);
    this.claims = new WorkClaims(this.doc, { table, index: workIndex });
  }

  /** Checks table and indexes (DescribeTable) and opens the store; throws DynamoSetupError. */
  static async open(options: DynamoStoreOptions): Promise<DynamoVideoStore> {
    const client = options.client ?? createDynamoClient();
    const statusIndex = options.statusIndex ?? defaultStatusIndex;
    const workIndex = options.workIndex ?? defaultWorkIndex;
    try {
      const check = await checkTable(client, { ...options, statusIndex, workIndex });
      for (const warning of check.warnings) options.logger?.warn(warning);
      return new DynamoVideoStore(
        client,
        options.client === undefined,
        options.table,
        options.ownerIndex,
        statusIndex,
        check.listMode,
        check.filterMode,
        workIndex,
        check.work.unusable,
      );
    } catch (err) {
      if (options.client === undefined) client.destroy();
      throw err;
    }
  }

  async create(video: Video, options?: StoreCallOptions): Promise<Video> {
    return this.call(options, async (scope) => {
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: toItem(video),
            ConditionExpression: 'attribute_not_exists(videoId)',
          }),
          scope.send,
        );
        return video;
      } catch (err) {
        if (errorName(err) === 'ConditionalCheckFailedException') {
          throw AlreadyExists.video(video);
        }
        throw toStoreError(err, this.table, 'PutItem');
      }
    });
  }

  async get(key: VideoKey, options?: StoreCallOptions): Promise<Video | undefined> {
    return this.call(options, async (scope) => {
      const item = await this.read(key, scope);
      return item === undefined ? undefined : fromItem(item);
    });
  }

  async getMany(ownerId: string, videoIds: readonly string[], options?: StoreCallOptions): Promise<Video[]> {
    return this.call(options, async (scope) => {
      try {
        return await batchGet(this.doc, this.table, ownerId, videoIds, scope);
      } catch (err) {
        throw toStoreError(err, this.table, 'BatchGetItem');
      }
    });
  }

  async list(query: ListQuery, options?: StoreCallOptions): Promise<ListPage> {
    checkCursor(query);
    return this.call(options, async (scope) => {
      try {
        // A status filter on the owner-and-status index is one Query however many of the
        // owner's videos it skips; without that index the filter reads past them.
        if (query.status !== undefined && this.filterMode === 'owner-status-index') {
          return await listByIndex(this.doc, { table: this.table, index: this.statusIndex, keyedBy: 'owner-status' }, query, scope);
        }
        return this.listMode === 'owner-time-index'
          ? await listByIndex(this.doc, { table: this.table, index: this.ownerIndex, keyedBy: 'owner' }, query, scope)
          : await listByPartition(this.doc, this.table, query, scope);
      } catch (err) {
        throw toStoreError(err, this.table, 'Query');
      }
    });
  }

  async update(key: VideoKey, change: VideoChange, expect: Precondition, options?: StoreCallOptions): Promise<Video> {
    return this.call(options, (scope) => this.updateWithin(key, change, expect, scope));
  }

  async delete(key: VideoKey, expect: Precondition, options?: StoreCallOptions): Promise<void> {
    return this.call(options, (scope) => this.deleteWithin(key, expect, scope));
  }

  /** The oldest-waiting claimable video, claimed (claim-next.ts); FailedPrecondition without a usable work index. */
  async claimNext(grant: ClaimGrant, options?: StoreCallOptions): Promise<Video | undefined> {
    if (this.claimsUnusable !== undefined) throw new WorkIndexMissing(this.claimsUnusable);
    return this.call(options, (scope) => this.claims.claimNext(grant, scope));
  }

  /** Extends the worker's live claim in one conditional write (renew-claim.ts). */
  async renewClaim(key: VideoKey, renewal: ClaimRenewal, options?: StoreCallOptions): Promise<Video> {
    return this.call(options, (scope) => renewClaim(this.doc, this.table, key, renewal, scope));
  }

  /** Resolves when DynamoDB answered a small data-plane read recently or now (readiness.ts). */
  async ping(options?: StoreCallOptions): Promise<void> {
    return this.readiness.ping(options);
  }

  async close(): Promise<void> {
    // A client handed in belongs to the caller, who may share it.
    if (this.ownsClient) this.client.destroy();
  }

  /** Runs one store call in its scope (call-scope.ts); a store found unavailable is no longer "ready". */
  private async call<T>(options: StoreCallOptions | undefined, work: (scope: CallScope) => Promise<T>): Promise<T> {
    try {
      return await withinScope(options, work);
    } catch (err) {
      if (err instanceof StoreUnavailable) this.readiness.forget();
      throw err;
    }
  }

  private async updateWithin(key: VideoKey, change: VideoChange, expect: Precondition, scope: CallScope): Promise<Video> {
    const groups = statusChangeWrites(change, expect);
    return writeConditionally(
      {
        ...this.conditionalTarget(key, scope),
        expect,
        requestedStatus: change.fields.status,
        operation: 'UpdateItem',
        send: async (seenStatusWords) => {
          // The write for the status the item was last seen in (the first group until then).
          const seen = seenStatusWords.at(-1);
          const from = seen === undefined ? undefined : readStatus(seen).status;
          const group = groups.find((each) => from !== undefined && each.expect.statusIn?.includes(from)) ?? groups[0]!;
          const expression = updateExpression(key, change, group.expect, seenStatusWords, group.effects);
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
            scope.send,
          );
          return fromItem(result.Attributes ?? {});
        },
      },
      scope,
    );
  }

  private async deleteWithin(key: VideoKey, expect: Precondition, scope: CallScope): Promise<void> {
    return writeConditionally(
      {
        ...this.conditionalTarget(key, scope),
        expect,
        requestedStatus: undefined,
        operation: 'DeleteItem',
        send: async (seenStatusWords) => {
          const condition = writeCondition(expect, seenStatusWords);
          await this.doc.send(
            new DeleteCommand({
              TableName: this.table,
              Key: { ownerId: key.ownerId, videoId: key.videoId },
              ConditionExpression: condition.condition,
              ExpressionAttributeNames: Object.keys(condition.names).length > 0 ? condition.names : undefined,
              ExpressionAttributeValues: Object.keys(condition.values).length > 0 ? condition.values : undefined,
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
            scope.send,
          );
        },
      },
      scope,
    );
  }

  /** What every conditional write of `key` shares: the table, and how to re-read the item. */
  private conditionalTarget(key: VideoKey, scope: CallScope) {
    return { key, table: this.table, read: () => this.read(key, scope) };
  }

  /** The readiness request: a GetItem of a key that cannot exist, projecting only a key attribute. */
  private async readinessRead(options: StoreCallOptions): Promise<void> {
    await withinScope(options, async (scope) => {
      try {
        await this.doc.send(
          new GetCommand({ TableName: this.table, Key: pingKey, ProjectionExpression: '#o', ExpressionAttributeNames: { '#o': 'ownerId' } }),
          scope.send,
        );
      } catch (err) {
        throw toStoreError(err, this.table, 'GetItem');
      }
    });
  }

  /** A consistent GetItem (read-your-writes, as the contract expects after a write). */
  private async read(key: VideoKey, scope: CallScope): Promise<Item | undefined> {
    try {
      const result = await this.doc.send(
        new GetCommand({ TableName: this.table, Key: { ownerId: key.ownerId, videoId: key.videoId }, ConsistentRead: true }),
        scope.send,
      );
      return result.Item;
    } catch (err) {
      throw toStoreError(err, this.table, 'GetItem');
    }
  }
}
