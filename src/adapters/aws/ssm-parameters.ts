// SSM Parameter Store as a ParameterSource (SPEC §5): the existing deployment keeps
// its DynamoDB table and index names under SSM_PARAMETER_PREFIX; the owner-and-status and
// work index names may be there too (`dynamoStatusIndex`, `dynamoWorkIndex`), read in the
// same request.
import { GetParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { ConfigError, ssmParameterNames, type Config } from '../../app/config.ts';
import type { ParameterSource } from '../../domain/ports.ts';
import { createSsmClient, type AwsClientOptions } from './clients.ts';
import { awsConfigError, classifyAwsFailure } from './failure.ts';

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
    return this.readWithOptional(names, []);
  }

  /**
   * As read(), with `optional` names asked in the same request: parameters that may
   * rightly be absent, so errors name only `names` (what must be fixed). An IAM policy
   * written for the older deployment may allow only its own parameters, and GetParameters
   * is refused as a whole then: a refusal is retried once without `optional`, which then
   * read as absent (their defaults apply).
   */
  async readWithOptional(names: readonly string[], optional: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const all = [...names, ...optional];
    if (all.length === 0) return new Map();
    const paths = all.map((name) => `${this.prefix}/${name}`);
    let parameters;
    try {
      // GetParameters (not ByPath): one request for exactly the names needed, and a
      // missing one is reported by name in InvalidParameters rather than silently absent.
      ({ Parameters: parameters } = await this.client.send(
        new GetParametersCommand({ Names: paths, WithDecryption: true }),
      ));
    } catch (error) {
      if (optional.length > 0 && classifyAwsFailure(error).kind === 'denied') {
        return names.length === 0 ? new Map() : this.readWithOptional(names, []);
      }
      const named = (names.length > 0 ? names : optional).map((name) => `${this.prefix}/${name}`);
      const subject = `parameter ${named.join(' and ')}`;
      throw awsConfigError('SSM', subject, error, `SSM has no ${subject}`);
    }
    const found = new Map<string, string>();
    for (const parameter of parameters ?? []) {
      const index = paths.indexOf(parameter.Name ?? '');
      const name = all[index];
      if (name !== undefined && parameter.Value !== undefined) found.set(name, parameter.Value);
    }
    return found;
  }
}

/**
 * The DynamoDB names SSM supplies for what the environment left unset, for
 * `dynamoNames(config, fromSsm)`, `dynamoStatusIndex` and `dynamoWorkIndex`, in one
 * GetParameters call; no SSM call when there is no prefix or every name is explicit. A
 * missing table or owner index parameter, or a failed read → ConfigError naming it; the
 * status and work index parameters are optional (the existing deployment has neither: the
 * defaults apply).
 */
export async function readDynamoNamesFromSsm(
  config: Config,
  source?: SsmParameterSource,
  clientOptions: AwsClientOptions = {},
): Promise<ReadonlyMap<string, string>> {
  const prefix = config.ssmParameterPrefix;
  if (prefix === undefined) return new Map();
  const wanted: string[] = [];
  if (config.dynamo.table === undefined) wanted.push(ssmParameterNames.table);
  if (config.dynamo.ownerIndex === undefined) wanted.push(ssmParameterNames.ownerIndex);
  const optional: string[] = [];
  if (config.dynamo.statusIndex === undefined) optional.push(ssmParameterNames.statusIndex);
  if (config.dynamo.workIndex === undefined) optional.push(ssmParameterNames.workIndex);
  if (wanted.length === 0 && optional.length === 0) return new Map();

  // Built here only when the caller gave no source, and destroyed right after: the
  // names are read once at start-up.
  const client = source === undefined ? createSsmClient(config, clientOptions) : undefined;
  try {
    const found = await (source ?? new SsmParameterSource(client!, prefix)).readWithOptional(wanted, optional);
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
