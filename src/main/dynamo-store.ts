// The DynamoDB branch of the composition root, in its own module so the DynamoDB SDK is
// only loaded when VIDEO_STORE=dynamodb. Also used by `videosvc migrate`, so both open
// the table exactly as `serve` does (names from environment > SSM > defaults, checked).
import { readDynamoNamesFromSsm } from '../adapters/aws/ssm-parameters.ts';
import { createDynamoClient } from '../adapters/dynamo/client.ts';
import { DynamoVideoStore } from '../adapters/dynamo/store.ts';
import type { Logger } from '../adapters/log.ts';
import { dynamoNames, dynamoStatusIndex, dynamoWorkIndex, type Config } from '../app/config.ts';
import type { OpenedStore } from './start.ts';

/** Table and index names (environment > SSM > defaults), checked by DescribeTable before anything is served. */
export async function openDynamoStore(config: Config, logger: Logger): Promise<OpenedStore> {
  const fromSsm = await readDynamoNamesFromSsm(config);
  const names = dynamoNames(config, fromSsm);
  const statusIndex = dynamoStatusIndex(config, fromSsm);
  const workIndex = dynamoWorkIndex(config, fromSsm);
  // Built here rather than inside the store so AWS_DEFAULT_REGION (which the SDK itself
  // ignores) still names the region, as Config reads it.
  const client = createDynamoClient(config.awsRegion === undefined ? {} : { region: config.awsRegion });
  try {
    const store = await DynamoVideoStore.open({ ...names, statusIndex, workIndex, client, logger: { warn: (message) => logger.warn(message) } });
    return {
      store,
      close: async () => {
        await store.close();
        client.destroy();
      },
      description: { kind: 'dynamodb', table: names.table, ownerIndex: names.ownerIndex, listMode: store.listMode },
    };
  } catch (error) {
    client.destroy();
    throw error;
  }
}
