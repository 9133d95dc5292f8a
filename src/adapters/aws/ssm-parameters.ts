// SSM Parameter Store as a ParameterSource (SPEC §5): the existing deployment keeps
// its DynamoDB table and index names under SSM_PARAMETER_PREFIX.
import { GetParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { ConfigError, ssmParameterNames, type Config } from '../../app/config.ts';
import type { ParameterSource } from '../../domain/ports.ts';
import { createSsmClient, type AwsClientOptions } from './clients.ts';
import { awsConfigError } from './failure.ts';

/** The environment variable that overrides each SSM parameter, for the "not found" hint. */
const overridingVariable: Record<string, string> = {
  [ssmParameterNames.table]: 'DYNAMO_TABLE',
  [ssmParameterNames.ownerIndex]: 'DYNAMO_OWNER_INDEX',
};

/** Reads parameters under one path prefix with a single GetParameters call, SecureStrings decrypted. */
export class SsmParameterSource implements ParameterSource {
  constructor(
    private readonly client: SSMClient,
    /** e.g. `/n11817143/app`, without a trailing slash (Config already strips it). */
    private readonly prefix: string,
  ) {}

  /** Values for `names` relative to the prefix; absent ones are left out; any failure → ConfigError. */
  async read(names: readonly string[]): Promise<ReadonlyMap<string, string>> {
    if (names.length === 0) return new Map();
    const paths = names.map((name) => `${this.prefix}/${name}`);
    let parameters;
    try {
      // GetParameters (not ByPath): one request for exactly the names needed, and a
      // missing one is reported by name in InvalidParameters rather than silently absent.
      ({ Parameters: parameters } = await this.client.send(
        new GetParametersCommand({ Names: paths, WithDecryption: true }),
      ));
    } catch (error) {
      const subject = `parameter ${paths.join(' and ')}`;
      throw awsConfigError('SSM', subject, error, `SSM has no ${subject}`);
    }
    const found = new Map<string, string>();
    for (const parameter of parameters ?? []) {
      const index = paths.indexOf(parameter.Name ?? '');
      const name = names[index];
      if (name !== undefined && parameter.Value !== undefined) found.set(name, parameter.Value);
    }
    return found;
  }
}

/**
 * The DynamoDB names SSM supplies for what the environment left unset, for
 * `dynamoNames(config, fromSsm)`; no SSM call when there is no prefix or both names are
 * explicit. A missing parameter or a failed read → ConfigError naming the parameter.
 */
export async function readDynamoNamesFromSsm(
  config: Config,
  source?: ParameterSource,
  clientOptions: AwsClientOptions = {},
): Promise<ReadonlyMap<string, string>> {
  const prefix = config.ssmParameterPrefix;
  if (prefix === undefined) return new Map();
  const wanted: string[] = [];
  if (config.dynamo.table === undefined) wanted.push(ssmParameterNames.table);
  if (config.dynamo.ownerIndex === undefined) wanted.push(ssmParameterNames.ownerIndex);
  if (wanted.length === 0) return new Map();

  // Built here only when the caller gave no source, and destroyed right after: the
  // names are read once at start-up.
  const client = source === undefined ? createSsmClient(config, clientOptions) : undefined;
  try {
    const found = await (source ?? new SsmParameterSource(client!, prefix)).read(wanted);
    for (const name of wanted) {
      if (!found.has(name)) {
        throw new ConfigError(
          `SSM parameter ${prefix}/${name} not found (set ${overridingVariable[name]} or create the parameter)`,
        );
      }
    }
    return found;
  } finally {
    client?.destroy();
  }
}
