// A loopback HTTP proxy in front of dynalite that adds a global secondary index by
// UpdateTable as DynamoDB does. dynalite accepts such an UpdateTable but ignores it (and
// asks for provisioned throughput even on an on-demand table), so `create-index` could
// not be proven against it. The proxy answers that one request itself: it recreates the
// table with the extra index and copies every item back, so the new index holds every
// item that has its key attributes, as DynamoDB's own backfill does, then answers with
// the index CREATING. Every other request goes to dynalite unchanged, and every request's
// operation is recorded, so a test can count what one RPC cost at the wire.
//
// Not modelled: writes that arrive while the table is being recreated (tests add an index
// while nothing writes), and the time a real backfill takes — an index stays reported as
// CREATING in DescribeTable until the test calls `activate()`.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  ScanCommand,
  type AttributeValue,
  type CreateGlobalSecondaryIndexAction,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { testClient } from './dynalite.ts';

export interface IndexProxy {
  readonly endpoint: string;
  /** UpdateTable requests that created an index, as sent (for asserting their shape). */
  readonly indexRequests: Record<string, unknown>[];
  /** Every request's operation (Query, GetItem …) in arrival order; tests may empty it. */
  readonly operations: string[];
  /** Reports every index added through the proxy as ACTIVE from now on. */
  activate(): void;
  /** Runs before a request is forwarded (e.g. to change an item between a read and a write). */
  beforeForward?: (operation: string, input: Record<string, unknown>) => Promise<void>;
  close(): Promise<void>;
}

const target = 'DynamoDB_20120810.';

/** Starts the proxy on 127.0.0.1:0 in front of dynalite at `dynaliteEndpoint`. */
export async function startIndexProxy(dynaliteEndpoint: string): Promise<IndexProxy> {
  const upstream = new URL(dynaliteEndpoint);
  const client = testClient(dynaliteEndpoint);
  const creating = new Set<string>();
  const indexRequests: Record<string, unknown>[] = [];
  const operations: string[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const operation = String(req.headers['x-amz-target'] ?? '').replace(target, '');
    operations.push(operation);
    const input = body.length > 0 ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
    const create = (input.GlobalSecondaryIndexUpdates as { Create?: CreateGlobalSecondaryIndexAction }[] | undefined)?.find((u) => u.Create)?.Create;
    if (operation === 'UpdateTable' && create !== undefined) {
      indexRequests.push(input);
      const answer = await addIndex(client, String(input.TableName), create, input.AttributeDefinitions as never);
      if ('error' in answer) return reply(res, 400, { __type: `com.amazonaws.dynamodb.v20120810#ValidationException`, message: answer.error });
      creating.add(create.IndexName!);
      return reply(res, 200, { TableDescription: markCreating(answer.table, creating) });
    }
    if (operation === 'DescribeTable' && creating.size > 0) {
      const described = await forwardBuffered(upstream, req, body);
      if (described.status !== 200) return reply(res, described.status, JSON.parse(described.body));
      const parsed = JSON.parse(described.body) as { Table: TableDescription };
      return reply(res, 200, { Table: markCreating(parsed.Table, creating) });
    }
    await proxy.beforeForward?.(operation, input);
    const forwarded = await forwardBuffered(upstream, req, body);
    res.writeHead(forwarded.status, forwarded.headers);
    res.end(forwarded.body);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch((error: unknown) => reply(res, 500, { __type: 'InternalServerError', message: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy: IndexProxy = {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    indexRequests,
    operations,
    activate: () => creating.clear(),
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return proxy;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
  // The SDK's own objects hold Dates where the wire has epoch seconds.
  res.end(JSON.stringify(body, function (this: Record<string, unknown>, key, value) {
    const original = this[key];
    return original instanceof Date ? original.getTime() / 1000 : value;
  }));
}

function markCreating(table: TableDescription, creating: ReadonlySet<string>): TableDescription {
  return {
    ...table,
    GlobalSecondaryIndexes: table.GlobalSecondaryIndexes?.map((index) =>
      creating.has(index.IndexName ?? '') ? { ...index, IndexStatus: 'CREATING' } : index,
    ),
  };
}

async function forwardBuffered(upstream: URL, req: IncomingMessage, body: Buffer) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const outgoing = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 500, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/**
 * What DynamoDB does for a GSI Create, done the only way dynalite allows: refuse what
 * DynamoDB refuses (an existing name, throughput on an on-demand table), otherwise
 * recreate the table with the index and put every item back.
 */
async function addIndex(
  client: DynamoDBClient,
  table: string,
  create: CreateGlobalSecondaryIndexAction,
  definitions: { AttributeName: string; AttributeType: 'S' | 'N' | 'B' }[] | undefined,
): Promise<{ table: TableDescription } | { error: string }> {
  const described = (await client.send(new DescribeTableCommand({ TableName: table }))).Table!;
  if (described.GlobalSecondaryIndexes?.some((index) => index.IndexName === create.IndexName)) {
    return { error: `Attempting to create an index which already exists` };
  }
  if (described.BillingModeSummary?.BillingMode === 'PAY_PER_REQUEST' && create.ProvisionedThroughput !== undefined) {
    return { error: 'One or more parameter values were invalid: ProvisionedThroughput should not be specified for index when BillingMode is PAY_PER_REQUEST' };
  }
  const items: Record<string, AttributeValue>[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);

  const attributes = new Map((described.AttributeDefinitions ?? []).map((d) => [d.AttributeName!, d]));
  for (const definition of definitions ?? []) attributes.set(definition.AttributeName, definition);
  await client.send(new DeleteTableCommand({ TableName: table }));
  const recreated = await client.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attributes.values()] as never,
      KeySchema: described.KeySchema,
      GlobalSecondaryIndexes: [
        ...(described.GlobalSecondaryIndexes ?? []).map((index) => ({ IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection })),
        { IndexName: create.IndexName, KeySchema: create.KeySchema, Projection: create.Projection },
      ],
    }),
  );
  for (let start = 0; start < items.length; start += 25) {
    await client.send(
      new BatchWriteItemCommand({ RequestItems: { [table]: items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } })) } }),
    );
  }
  return { table: recreated.TableDescription! };
}
