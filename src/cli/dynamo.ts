// `videosvc dynamo create-table | create-index [--status | --work] | backfill-status |
// backfill-work`: the DynamoDB set-up tools of SPEC §7. Table and index names are resolved
// as for `serve` (environment > SSM > defaults).
import { parseArgs } from 'node:util';
import { dynamoNames, dynamoStatusIndex, dynamoWorkIndex, parseConfig, readEnvironment, type Config } from '../app/config.ts';
import { UsageError, parseCommandLine, printOut, type Command } from './command.ts';
import { reportProgress } from './progress.ts';

const defaultIndexName = 'OwnerCreatedIndex';

const usage = `usage: videosvc dynamo create-table
       videosvc dynamo create-index [--name ${defaultIndexName}]
       videosvc dynamo create-index --status
       videosvc dynamo create-index --work
       videosvc dynamo backfill-status
       videosvc dynamo backfill-work

create-table     Creates the videos table (ownerId HASH, videoId RANGE, on-demand billing)
                 with its owner/time index (ownerId HASH, createdAt RANGE), named by
                 DYNAMO_OWNER_INDEX, and its owner-and-status index (ownerStatus HASH,
                 createdAt RANGE), named by DYNAMO_STATUS_INDEX, both projection ALL, and
                 its work index (workShard HASH, readyAt RANGE), named by
                 DYNAMO_WORK_INDEX, if the table is missing; idempotent. Waits until the
                 table is ACTIVE, then checks its key schema as serve would.
create-index     Adds an owner/time index to an existing table online (UpdateTable), for
                 a deployment whose owner index has no createdAt sort key; idempotent.
                 Prints the index status and the variable to set once it is ACTIVE.
  --status       Adds the owner-and-status index named by DYNAMO_STATUS_INDEX instead
                 (one query per status-filtered page); idempotent; prints its status and
                 what to run next (backfill-status, then a restart once it is ACTIVE).
  --work         Adds the work index named by DYNAMO_WORK_INDEX instead (ClaimVideo
                 needs it); idempotent; prints its status and what to run next
                 (backfill-work, then a restart once it is ACTIVE).
backfill-status  Gives every item the owner-and-status key (ownerStatus =
                 <ownerId>#<status>) it lacks or holds out of date — items written before
                 this version of the service — with a paginated Scan and one conditional
                 write per item, progress (count, rate) on stderr once a second;
                 idempotent. Prints how many it wrote.
                 Until it has run once to the end, serve filters the slower way.
backfill-work    Gives every item the work index attributes (workShard, readyAt) it
                 lacks — items written before the index existed, such as the older
                 application's uploaded videos, which no claim finds until then — and
                 removes them where the status says they do not belong; a paginated
                 Scan and one conditional write per item, progress (count, rate) on
                 stderr once a second; idempotent. Prints how many it wrote.

options:
  --name <index>  the owner/time index create-index adds (default ${defaultIndexName})
  --status        see create-index
  --work          see create-index
  -h, --help      show this help

The table is DYNAMO_TABLE (or the SSM parameter <SSM_PARAMETER_PREFIX>/dynamoTable, else
"videos"); AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB and the usual AWS credentials apply.
`;

export const dynamoCommand: Command = {
  name: 'dynamo',
  summary: 'create-table | create-index [--status | --work] | backfill-status | backfill-work: set up the DynamoDB table and its indexes',
  usage,
  async run(args) {
    const { values, positionals } = parseCommandLine('dynamo', () =>
      parseArgs({
        args: [...args],
        options: { name: { type: 'string' }, status: { type: 'boolean' }, work: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
        allowPositionals: true,
      }),
    );
    if (values.help) {
      await printOut(usage);
      return 0;
    }
    const [action, ...extra] = positionals;
    if (action !== 'create-table' && action !== 'create-index' && action !== 'backfill-status' && action !== 'backfill-work') {
      throw new UsageError(
        'dynamo',
        action === undefined ? 'name an action: create-table, create-index, backfill-status or backfill-work' : `unknown action "${action}"`,
      );
    }
    if (extra.length > 0) throw new UsageError('dynamo', `unexpected argument "${extra[0]}"`);
    if (action !== 'create-index' && values.name !== undefined) {
      throw new UsageError('dynamo', `--name applies to create-index; ${action} names the indexes by DYNAMO_OWNER_INDEX and DYNAMO_STATUS_INDEX`);
    }
    if (action !== 'create-index' && values.status) throw new UsageError('dynamo', '--status applies to create-index');
    if (action !== 'create-index' && values.work) throw new UsageError('dynamo', '--work applies to create-index');
    if (values.status && values.work) throw new UsageError('dynamo', 'choose one of --status and --work');
    if (values.status && values.name !== undefined) {
      throw new UsageError('dynamo', '--name names the owner/time index; the owner-and-status index is named by DYNAMO_STATUS_INDEX');
    }
    if (values.work && values.name !== undefined) {
      throw new UsageError('dynamo', '--name names the owner/time index; the work index is named by DYNAMO_WORK_INDEX');
    }
    const config = parseConfig(readEnvironment());
    if (action === 'create-table') return createTableAction(config);
    if (action === 'backfill-status') return backfillStatusAction(config);
    if (action === 'backfill-work') return backfillWorkAction(config);
    if (values.work) return createIndexAction(config, { kind: 'work' });
    if (values.status) return createIndexAction(config, { kind: 'status' });
    return createIndexAction(config, { kind: 'owner-time', name: values.name ?? defaultIndexName });
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
    if (check.filterMode === 'owner-status-index') {
      await printOut(`owner-and-status index ${names.statusIndex} lists by status (one query per filtered page)\n`);
    }
    if (check.work.unusable === undefined) await printOut(`work index ${names.workIndex} hands out claims (ClaimVideo)\n`);
    for (const warning of check.warnings) await printOut(`warning: ${warning}\n`);
    return 0;
  });
}

/** Which index `create-index` adds: the owner/time index (named by --name), or --status, or --work. */
type IndexToAdd = { readonly kind: 'owner-time'; readonly name: string } | { readonly kind: 'status' | 'work' };

async function createIndexAction(config: Config, index: IndexToAdd): Promise<number> {
  const create = await import('../adapters/dynamo/create-index.ts');
  const names = await resolveNames(config);
  const { indexName, add } =
    index.kind === 'owner-time'
      ? { indexName: index.name, add: create.createOwnerTimeIndex }
      : index.kind === 'status'
        ? { indexName: names.statusIndex, add: create.createStatusIndex }
        : { indexName: names.workIndex, add: create.createWorkIndex };
  return withClient(config, `add index ${indexName} to table ${names.table}`, async (client) => {
    const result = await add(client, { table: names.table, indexName });
    const verb = result.outcome === 'created' ? 'requested' : 'already exists';
    await printOut(`index ${result.indexName} on table ${names.table} ${verb}; status ${result.status}\nnext: ${result.next}\n`);
    return 0;
  });
}

async function backfillWorkAction(config: Config): Promise<number> {
  const { backfillWork } = await import('../adapters/dynamo/backfill-work.ts');
  const { table, workIndex } = await resolveNames(config);
  return withClient(config, `backfill table ${table}`, async (client) => {
    const progress = reportProgress('backfill-work', 'videos');
    const result = await backfillWork(client, table, {
      onProgress: ({ scanned, updated }) => progress.update(scanned, `${scanned} videos read, ${updated} updated`),
    }).finally(() => progress.stop());
    const raced = result.raced === 0 ? '' : `; ${result.raced} changed while being read (their writers keep the attributes; a re-run checks them)`;
    await printOut(
      `backfilled work index attributes of ${result.updated} of ${result.scanned} videos in table ${table}${raced}\n` +
        `next: once index ${workIndex} is ACTIVE and the service has restarted, those videos are claimable\n`,
    );
    return 0;
  });
}

async function backfillStatusAction(config: Config): Promise<number> {
  const { backfillStatus } = await import('../adapters/dynamo/backfill-status.ts');
  const { table, statusIndex } = await resolveNames(config);
  return withClient(config, `backfill table ${table}`, async (client) => {
    const progress = reportProgress('backfill-status', 'videos');
    const result = await backfillStatus(client, table, {
      onProgress: ({ scanned, updated }) => progress.update(scanned, `${scanned} videos read, ${updated} keys written`),
    }).finally(() => progress.stop());
    const raced = result.raced === 0 ? '' : `; ${result.raced} changed while being read (their writers keep the key; a re-run checks them)`;
    await printOut(
      `backfilled ${result.updated} of ${result.scanned} videos in table ${table}${raced}\n` +
        `next: restart the service once index ${statusIndex} is ACTIVE; status-filtered lists then use it\n`,
    );
    return 0;
  });
}

async function resolveNames(config: Config): Promise<{ table: string; ownerIndex: string; statusIndex: string; workIndex: string }> {
  const { readDynamoNamesFromSsm } = await import('../adapters/aws/ssm-parameters.ts');
  const fromSsm = await readDynamoNamesFromSsm(config);
  return { ...dynamoNames(config, fromSsm), statusIndex: dynamoStatusIndex(config, fromSsm), workIndex: dynamoWorkIndex(config, fromSsm) };
}

type DynamoClient = import('@aws-sdk/client-dynamodb').DynamoDBClient;

// One client per run, always destroyed so the process can exit; SDK failures become one
// line naming the task, the endpoint and the cause (never a response body).
async function withClient(config: Config, task: string, work: (client: DynamoClient) => Promise<number>): Promise<number> {
  const { createDynamoClient } = await import('../adapters/dynamo/client.ts');
  const { classifyAwsFailure, missingAwsSetting } = await import('../adapters/aws/failure.ts');
  const { DynamoSetupError } = await import('../adapters/dynamo/errors.ts');
  const client = createDynamoClient(config.awsRegion === undefined ? {} : { region: config.awsRegion });
  try {
    return await work(client);
  } catch (error) {
    if (error instanceof DynamoSetupError) throw error;
    // No region or no credentials: the SDK's own words name no variable; serve's do.
    const missing = missingAwsSetting(error, `to ${task} in DynamoDB`);
    if (missing !== undefined) throw new Error(missing);
    // Our own errors already read as one line; only SDK and network failures need wording.
    const fromSdk = typeof error === 'object' && error !== null && ('$metadata' in error || 'code' in error);
    if (!fromSdk) throw error;
    const failure = classifyAwsFailure(error);
    throw new Error(`cannot ${task} in DynamoDB${failure.endpoint === undefined ? '' : ` at ${failure.endpoint}`}: ${failure.cause}`);
  } finally {
    client.destroy();
  }
}
