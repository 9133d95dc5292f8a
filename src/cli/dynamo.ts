// `videosvc dynamo create-table | create-index`: the DynamoDB set-up tools of SPEC §7.
// Table and index names are resolved as for `serve` (environment > SSM > defaults).
import { parseArgs } from 'node:util';
import { dynamoNames, parseConfig, readEnvironment, type Config } from '../app/config.ts';
import { UsageError, parseCommandLine, printOut, type Command } from './command.ts';

const defaultIndexName = 'OwnerCreatedIndex';

const usage = `usage: videosvc dynamo create-table
       videosvc dynamo create-index [--name ${defaultIndexName}]

create-table   Creates the videos table (ownerId HASH, videoId RANGE, on-demand billing)
               with its owner/time index (ownerId HASH, createdAt RANGE, projection ALL),
               named by DYNAMO_OWNER_INDEX, if the table is missing; idempotent. Waits
               until the table is ACTIVE, then checks its key schema as serve would.
create-index   Adds an owner/time index to an existing table online (UpdateTable), for
               a deployment whose owner index has no createdAt sort key; idempotent.
               Prints the index status and the variable to set once it is ACTIVE.

options:
  --name <index>  the index create-index adds (default ${defaultIndexName})
  -h, --help      show this help

The table is DYNAMO_TABLE (or the SSM parameter <SSM_PARAMETER_PREFIX>/dynamoTable, else
"videos"); AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB and the usual AWS credentials apply.
`;

export const dynamoCommand: Command = {
  name: 'dynamo',
  summary: 'create-table | create-index: set up the DynamoDB table and its owner/time index',
  usage,
  async run(args) {
    const { values, positionals } = parseCommandLine('dynamo', () =>
      parseArgs({
        args: [...args],
        options: { name: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
        allowPositionals: true,
      }),
    );
    if (values.help) {
      await printOut(usage);
      return 0;
    }
    const [action, ...extra] = positionals;
    if (action !== 'create-table' && action !== 'create-index') {
      throw new UsageError('dynamo', action === undefined ? 'name an action: create-table or create-index' : `unknown action "${action}"`);
    }
    if (extra.length > 0) throw new UsageError('dynamo', `unexpected argument "${extra[0]}"`);
    if (action === 'create-table' && values.name !== undefined) {
      throw new UsageError('dynamo', '--name applies to create-index; create-table names the index by DYNAMO_OWNER_INDEX');
    }
    const config = parseConfig(readEnvironment());
    return action === 'create-table' ? createTableAction(config) : createIndexAction(config, values.name ?? defaultIndexName);
  },
};

async function createTableAction(config: Config): Promise<number> {
  const { createTable } = await import('../adapters/dynamo/create-table.ts');
  const { checkTable } = await import('../adapters/dynamo/check-table.ts');
  const names = await resolveNames(config);
  return withClient(config, `create table ${names.table}`, async (client) => {
    const result = await createTable(client, names);
    // An existing table is left as it is; the same check as serve says whether it will do.
    const check = await checkTable(client, names);
    const verb = result.outcome === 'created' ? 'created' : 'already exists';
    await printOut(`table ${result.table} ${verb}; owner index ${result.ownerIndex} lists ${check.listMode === 'owner-time-index' ? 'by createdAt (one query per page)' : 'by reading whole owner partitions'}\n`);
    if (check.warning !== undefined) await printOut(`warning: ${check.warning}\n`);
    return 0;
  });
}

async function createIndexAction(config: Config, indexName: string): Promise<number> {
  const { createOwnerTimeIndex } = await import('../adapters/dynamo/create-index.ts');
  const { table } = await resolveNames(config);
  return withClient(config, `add index ${indexName} to table ${table}`, async (client) => {
    const result = await createOwnerTimeIndex(client, { table, indexName });
    const verb = result.outcome === 'created' ? 'requested' : 'already exists';
    await printOut(`index ${result.indexName} on table ${table} ${verb}; status ${result.status}\nnext: ${result.next}\n`);
    return 0;
  });
}

async function resolveNames(config: Config): Promise<{ table: string; ownerIndex: string }> {
  const { readDynamoNamesFromSsm } = await import('../adapters/aws/ssm-parameters.ts');
  return dynamoNames(config, await readDynamoNamesFromSsm(config));
}

type DynamoClient = import('@aws-sdk/client-dynamodb').DynamoDBClient;

// One client per run, always destroyed so the process can exit; SDK failures become one
// line naming the task, the endpoint and the cause (never a response body).
async function withClient(config: Config, task: string, work: (client: DynamoClient) => Promise<number>): Promise<number> {
  const { createDynamoClient } = await import('../adapters/dynamo/client.ts');
  const { classifyAwsFailure } = await import('../adapters/aws/failure.ts');
  const { DynamoSetupError } = await import('../adapters/dynamo/errors.ts');
  const client = createDynamoClient(config.awsRegion === undefined ? {} : { region: config.awsRegion });
  try {
    return await work(client);
  } catch (error) {
    // Our own errors already read as one line; only SDK and network failures need wording.
    const fromSdk = typeof error === 'object' && error !== null && ('$metadata' in error || 'code' in error);
    if (error instanceof DynamoSetupError || !fromSdk) throw error;
    const failure = classifyAwsFailure(error);
    throw new Error(`cannot ${task} in DynamoDB${failure.endpoint === undefined ? '' : ` at ${failure.endpoint}`}: ${failure.cause}`);
  } finally {
    client.destroy();
  }
}
