import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, dynamoNames, dynamoWorkIndex, parseConfig } from '../../src/app/config.ts';
import { createSsmClient, type AwsClientOptions } from '../../src/adapters/aws/clients.ts';
import { readDynamoNamesFromSsm, SsmParameterSource } from '../../src/adapters/aws/ssm-parameters.ts';
import { closedPort, fakeAwsClientOptions, startFakeAws, testCredentials, type FakeAws } from '../support/fake-aws.ts';

const prefix = '/n11817143/app';
const getParameters = 'AmazonSSM.GetParameters';

let fake: FakeAws;
beforeAll(async () => {
  fake = await startFakeAws();
});
afterAll(() => fake.stop());
afterEach(() => {
  fake.requests.length = 0;
  fake.clearFailures();
  fake.deleteParameter(`${prefix}/dynamoTable`);
  fake.deleteParameter(`${prefix}/dynamoOwnerIndex`);
});

function config(env: Record<string, string> = {}) {
  return parseConfig({ AWS_REGION: 'us-east-1', SSM_PARAMETER_PREFIX: prefix, ...env });
}

async function readThroughFake(env: Record<string, string> = {}, options: AwsClientOptions = fakeAwsClientOptions(fake)) {
  const client = createSsmClient(config(env), options);
  try {
    return await readDynamoNamesFromSsm(config(env), new SsmParameterSource(client, prefix));
  } finally {
    client.destroy();
  }
}

async function configErrorOf(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('SSM parameter source', () => {
  it('reads both names in one signed GetParameters call naming both full paths, decrypted', async () => {
    fake.setParameter(`${prefix}/dynamoTable`, 'n11817143-videos');
    fake.setParameter(`${prefix}/dynamoOwnerIndex`, 'OwnerCreatedIndex', 'SecureString');

    const fromSsm = await readThroughFake();

    expect(Object.fromEntries(fromSsm)).toEqual({ dynamoTable: 'n11817143-videos', dynamoOwnerIndex: 'OwnerCreatedIndex' });
    expect(dynamoNames(config(), fromSsm)).toEqual({ table: 'n11817143-videos', ownerIndex: 'OwnerCreatedIndex' });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toEqual({
      target: getParameters,
      // The owner-and-status and work index names are asked in the same call (optional: absent here).
      body: {
        Names: [`${prefix}/dynamoTable`, `${prefix}/dynamoOwnerIndex`, `${prefix}/dynamoStatusIndex`, `${prefix}/dynamoWorkIndex`],
        WithDecryption: true,
      },
      signed: true,
    });
  });

  it('reads the work index name in the same call when SSM has it', async () => {
    fake.setParameter(`${prefix}/dynamoTable`, 't');
    fake.setParameter(`${prefix}/dynamoOwnerIndex`, 'i');
    fake.setParameter(`${prefix}/dynamoWorkIndex`, 'WorkFromSsm');
    try {
      const fromSsm = await readThroughFake();
      expect(fake.requests).toHaveLength(1);
      expect(dynamoWorkIndex(config(), fromSsm)).toBe('WorkFromSsm');
      expect(dynamoWorkIndex(config({ DYNAMO_WORK_INDEX: 'WorkFromEnv' }), fromSsm)).toBe('WorkFromEnv');
    } finally {
      fake.deleteParameter(`${prefix}/dynamoWorkIndex`);
    }
  });

  it('asks SSM only for the name the environment did not set, and the environment wins', async () => {
    fake.setParameter(`${prefix}/dynamoTable`, 'from-ssm');
    fake.setParameter(`${prefix}/dynamoOwnerIndex`, 'IndexFromSsm');

    const fromSsm = await readThroughFake({ DYNAMO_TABLE: 'from-env' });

    expect(fake.requests.map((request) => request.body.Names)).toEqual([
      [`${prefix}/dynamoOwnerIndex`, `${prefix}/dynamoStatusIndex`, `${prefix}/dynamoWorkIndex`],
    ]);
    expect(dynamoNames(config({ DYNAMO_TABLE: 'from-env' }), fromSsm)).toEqual({
      table: 'from-env',
      ownerIndex: 'IndexFromSsm',
    });
  });

  it('makes no SSM call when every name is explicit or no prefix is set', async () => {
    expect((await readThroughFake({ DYNAMO_TABLE: 't', DYNAMO_OWNER_INDEX: 'i', DYNAMO_STATUS_INDEX: 's', DYNAMO_WORK_INDEX: 'w' })).size).toBe(0);
    const noPrefix = parseConfig({ AWS_REGION: 'us-east-1' });
    expect((await readDynamoNamesFromSsm(noPrefix)).size).toBe(0);
    expect(fake.requests).toHaveLength(0);
  });

  it('a missing parameter stops start-up with a line naming its path and the fix', async () => {
    fake.setParameter(`${prefix}/dynamoTable`, 'videos');
    const error = await configErrorOf(readThroughFake());
    expect(error.message).toBe(
      'SSM parameter /n11817143/app/dynamoOwnerIndex not found (set DYNAMO_OWNER_INDEX or create the parameter)',
    );
  });

  it('denied access names the parameters and the error, nothing more', async () => {
    fake.fail(getParameters, { type: 'AccessDeniedException', message: 'User: arn:aws:iam::1:user/x is not authorized' });
    const error = await configErrorOf(readThroughFake());
    expect(error.message).toBe(
      'SSM denied access to parameter /n11817143/app/dynamoTable and /n11817143/app/dynamoOwnerIndex: AccessDeniedException',
    );
  });

  it('an endpoint that refuses connections names the endpoint and the cause', async () => {
    const port = await closedPort();
    const error = await configErrorOf(
      readThroughFake({}, { ...fakeAwsClientOptions(fake), endpoint: `http://127.0.0.1:${port}` }),
    );
    expect(error.message).toBe(
      `cannot reach SSM at http://127.0.0.1:${port} to read parameter /n11817143/app/dynamoTable and ` +
        `/n11817143/app/dynamoOwnerIndex: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });

  it('an endpoint that never answers fails within the request timeout', async () => {
    fake.fail(getParameters, 'hang');
    const started = Date.now();
    const error = await configErrorOf(readThroughFake({}, { ...fakeAwsClientOptions(fake), requestTimeoutMs: 300 }));
    expect(error.message).toBe(
      `cannot reach SSM at ${fake.endpoint} to read parameter /n11817143/app/dynamoTable and ` +
        '/n11817143/app/dynamoOwnerIndex: a request has exceeded the configured 300 ms requestTimeout',
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('missing credentials are reported as such, without any credential value', async () => {
    const credentials = async () => {
      throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    };
    const error = await configErrorOf(readThroughFake({}, { ...fakeAwsClientOptions(fake), credentials }));
    expect(error.message).toBe(
      'no usable AWS credentials to read parameter /n11817143/app/dynamoTable and /n11817143/app/dynamoOwnerIndex ' +
        'from SSM (CredentialsProviderError: Could not load credentials from any providers); ' +
        'set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
    expect(fake.requests).toHaveLength(0);
  });

  it('credentials SSM refuses are reported with the error SSM gave', async () => {
    fake.fail(getParameters, { type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' });
    const error = await configErrorOf(readThroughFake());
    expect(error.message).toBe(
      'no usable AWS credentials to read parameter /n11817143/app/dynamoTable and /n11817143/app/dynamoOwnerIndex ' +
        'from SSM (UnrecognizedClientException: The security token included in the request is invalid); ' +
        'set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
  });

  it('no region anywhere is reported with the variable to set', async () => {
    const saved = { ...process.env };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    delete process.env.AWS_PROFILE;
    process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aws-credentials';
    try {
      const noRegion = parseConfig({ SSM_PARAMETER_PREFIX: prefix });
      const { region: _unused, ...options } = fakeAwsClientOptions(fake);
      const client = createSsmClient(noRegion, options);
      const error = await configErrorOf(readDynamoNamesFromSsm(noRegion, new SsmParameterSource(client, prefix)));
      client.destroy();
      expect(error.message).toBe(
        'no AWS region to read parameter /n11817143/app/dynamoTable and /n11817143/app/dynamoOwnerIndex from SSM: set AWS_REGION',
      );
    } finally {
      process.env = saved;
    }
  });

  it('finds the endpoint through AWS_ENDPOINT_URL_SSM like any SDK user', async () => {
    fake.setParameter(`${prefix}/dynamoTable`, 'env-endpoint-table');
    fake.setParameter(`${prefix}/dynamoOwnerIndex`, 'EnvEndpointIndex');
    const saved = process.env.AWS_ENDPOINT_URL_SSM;
    process.env.AWS_ENDPOINT_URL_SSM = fake.endpoint;
    try {
      // No endpoint and no source given: the default path builds its own client.
      const fromSsm = await readDynamoNamesFromSsm(config(), undefined, { credentials: testCredentials, maxAttempts: 1 });
      expect(dynamoNames(config(), fromSsm)).toEqual({ table: 'env-endpoint-table', ownerIndex: 'EnvEndpointIndex' });
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_SSM;
      else process.env.AWS_ENDPOINT_URL_SSM = saved;
    }
    expect(fake.requestsFor(getParameters)).toHaveLength(1);
    expect(fake.requests[0]?.signed).toBe(true);
  });
});
