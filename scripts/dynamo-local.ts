// `npm run dynamo:local`: the service over DynamoDB with no AWS account. Starts dynalite
// (a DynamoDB-compatible server, in memory) on 127.0.0.1:DYNAMO_LOCAL_PORT (default
// 8000), creates the videos table with its owner/time and owner-and-status indexes, and starts the service on
// it through the composition root, as `videosvc serve` would with VIDEO_STORE=dynamodb.
// SIGINT (Ctrl-C) or SIGTERM stops both and exits 0; the data goes with dynalite.
import { createDynamoClient } from '../src/adapters/dynamo/client.ts';
import { createTable } from '../src/adapters/dynamo/create-table.ts';
import { createLogger, type Logger } from '../src/adapters/log.ts';
import { dynamoNames, dynamoStatusIndex, parseConfig, readEnvironment, type Environment } from '../src/app/config.ts';
import { start, type RunningService } from '../src/main/start.ts';
// The same loopback dynalite the tests start, rather than a second copy of it.
import { startDynalite, type RunningDynalite } from '../test/support/dynalite.ts';

// As in bin/videosvc.mjs: the SDK's multi-line warning about future Node versions.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const defaultLocalPort = 8000;
const stopGraceMs = 10_000;
// Dynalite accepts any signature; the SDK still wants something to sign with.
const dummyCredentials = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };

function localPort(environment: Environment): number {
  const raw = environment.DYNAMO_LOCAL_PORT?.trim() || String(defaultLocalPort);
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65_535) {
    throw new Error(`DYNAMO_LOCAL_PORT must be a whole number from 0 to 65535 (got "${raw}")`);
  }
  return port;
}

// Installed before anything starts, so a signal during start-up is not lost: the
// returned promise settles with it and the running pieces are stopped right after.
function shutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (received) process.exit(1); // a second signal: stop waiting
      received = true;
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

async function run(): Promise<void> {
  const signalled = shutdownSignal();
  const environment = readEnvironment();
  const port = localPort(environment);
  // The names the table is created with are passed on explicitly, so they win over any
  // SSM_PARAMETER_PREFIX: a local run never reads SSM.
  const local = parseConfig({ ...environment, VIDEO_STORE: 'dynamodb' });
  const names = { ...dynamoNames(local), statusIndex: dynamoStatusIndex(local) };
  const config = parseConfig({
    ...environment,
    VIDEO_STORE: 'dynamodb',
    DYNAMO_TABLE: names.table,
    DYNAMO_OWNER_INDEX: names.ownerIndex,
    DYNAMO_STATUS_INDEX: names.statusIndex,
    AWS_REGION: environment.AWS_REGION ?? environment.AWS_DEFAULT_REGION ?? 'us-east-1',
  });
  const logger = createLogger(config.logLevel);

  let dynamo: RunningDynalite | undefined;
  let service: RunningService | undefined;
  try {
    dynamo = await startDynalite(port);
    // The service's DynamoDB client reads its endpoint and credentials from the SDK's own
    // environment variables.
    process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
    if (process.env.AWS_ACCESS_KEY_ID === undefined && process.env.AWS_PROFILE === undefined) {
      Object.assign(process.env, dummyCredentials);
    }
    const client = createDynamoClient({ endpoint: dynamo.endpoint, region: config.awsRegion });
    try {
      await createTable(client, names);
    } finally {
      client.destroy();
    }
    logger.info(
      { endpoint: dynamo.endpoint, table: names.table, ownerIndex: names.ownerIndex, statusIndex: names.statusIndex },
      'dynalite listening (in memory), table created',
    );
    service = await start(config, { logger });
    logger.info('mint a token with `node bin/videosvc.mjs token <owner>` (same directory, same environment)');
  } catch (error) {
    await stopAll(service, dynamo, logger);
    throw error;
  }

  const signal = await signalled;
  logger.info({ signal }, 'stopping');
  await stopAll(service, dynamo, logger);
  logger.info('stopped');
}

// The service first (it drains calls that still need the store), then dynalite.
async function stopAll(service: RunningService | undefined, dynamo: RunningDynalite | undefined, logger: Logger): Promise<void> {
  await service?.stop({ graceMs: stopGraceMs }).catch((error: unknown) => logger.error({ err: error }, 'failed to stop the service'));
  await dynamo?.stop().catch((error: unknown) => logger.error({ err: error }, 'failed to stop dynalite'));
}

run().then(
  () => process.exit(0),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`dynamo:local: ${message.replace(/\s*\n\s*/g, '; ')}\n`);
    process.exit(1);
  },
);
