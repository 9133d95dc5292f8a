// The DynamoDB floor: a bare lib-dynamodb GetItem loop at the concurrency the GetVideo
// run used, with the client the service builds (same retries, timeouts and socket
// pool) and the same strongly consistent read of the same item. What GetVideo on
// dynalite would cost with no RPC, no token and no mapping around it. A process of its
// own; prints the figures as one JSON line.
//
//   BENCH_OPTIONS='<json GetItemOptions>' node --import tsx bench/drivers/dynamo-get-item.ts
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoClient, documentClient } from '../../src/adapters/dynamo/client.ts';
import { summarise } from '../latency.ts';

/** What the loop is told. */
export interface GetItemOptions {
  readonly endpoint: string;
  readonly table: string;
  readonly key: Readonly<Record<string, string>>;
  readonly concurrency: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
}

async function run(options: GetItemOptions): Promise<void> {
  const client = createDynamoClient({
    endpoint: options.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const doc = documentClient(client);
  const command = () => new GetCommand({ TableName: options.table, Key: options.key, ConsistentRead: true });
  const found = await doc.send(command());
  if (found.Item === undefined) throw new Error(`no item ${JSON.stringify(options.key)} in ${options.table}`);

  const latenciesUs: number[] = [];
  let failed = 0;
  const warmupEndsNs = process.hrtime.bigint() + BigInt(Math.round(options.warmupSeconds * 1e9));
  const endsNs = warmupEndsNs + BigInt(Math.round(options.seconds * 1e9));
  const loop = async () => {
    for (;;) {
      const startedNs = process.hrtime.bigint();
      if (startedNs >= endsNs) return;
      let ok = true;
      try {
        ok = (await doc.send(command())).Item !== undefined;
      } catch {
        ok = false;
      }
      const endedNs = process.hrtime.bigint();
      if (startedNs < warmupEndsNs || endedNs > endsNs) continue;
      if (ok) latenciesUs.push(Number(endedNs - startedNs) / 1e3);
      else failed += 1;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  client.destroy();
  process.stdout.write(`${JSON.stringify(summarise(Float64Array.from(latenciesUs), options.seconds, failed))}\n`);
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
run(JSON.parse(process.env.BENCH_OPTIONS ?? '{}') as GetItemOptions).catch((error: unknown) => {
  process.stderr.write(`dynamo-get-item: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
