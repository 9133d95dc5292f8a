// The owner-and-status index's name (SPEC §5): DYNAMO_STATUS_INDEX > SSM
// `<prefix>/dynamoStatusIndex` > `OwnerStatusIndex`. The existing deployment has no such
// parameter (nor, perhaps, an IAM grant for it), so SSM lacking or refusing it is no error.
import type { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dynamoNames, dynamoStatusIndex, parseConfig } from '../../src/app/config.ts';
import { createSsmClient } from '../../src/adapters/aws/clients.ts';
import { readDynamoNamesFromSsm, SsmParameterSource } from '../../src/adapters/aws/ssm-parameters.ts';
import { fakeAwsClientOptions, startFakeAws, type FakeAws } from '../support/fake-aws.ts';

const prefix = '/videosvc/status-index';
let fake: FakeAws;
beforeAll(async () => {
  fake = await startFakeAws();
});
afterAll(() => fake.stop());
afterEach(() => {
  fake.requests.length = 0;
  for (const name of ['dynamoTable', 'dynamoOwnerIndex', 'dynamoStatusIndex']) fake.deleteParameter(`${prefix}/${name}`);
});

function config(env: Record<string, string> = {}) {
  return parseConfig({ AWS_REGION: 'us-east-1', SSM_PARAMETER_PREFIX: prefix, ...env });
}

async function read(env: Record<string, string> = {}, refuse?: (names: string[]) => boolean) {
  const client = createSsmClient(config(env), fakeAwsClientOptions(fake));
  if (refuse !== undefined) refuseLikeIam(client, refuse);
  try {
    return await readDynamoNamesFromSsm(config(env), new SsmParameterSource(client, prefix));
  } finally {
    client.destroy();
  }
}

/** Refuses GetParameters as IAM does when the policy does not cover every name asked for. */
function refuseLikeIam(client: SSMClient, refuse: (names: string[]) => boolean): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const names = (args.input as { Names?: string[] }).Names ?? [];
      if (context.commandName === 'GetParametersCommand' && refuse(names)) {
        throw Object.assign(new Error('not authorized to perform ssm:GetParameters'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
      }
      return next(args);
    },
    { step: 'initialize', name: 'refuseLikeIam' },
  );
}

describe('the owner-and-status index name', () => {
  it('is DYNAMO_STATUS_INDEX, else the SSM parameter, else OwnerStatusIndex', () => {
    const fromSsm = new Map([['dynamoStatusIndex', 'FromSsm']]);
    expect(dynamoStatusIndex(parseConfig({}))).toBe('OwnerStatusIndex');
    expect(dynamoStatusIndex(parseConfig({}), fromSsm)).toBe('FromSsm');
    expect(dynamoStatusIndex(parseConfig({ DYNAMO_STATUS_INDEX: 'FromEnv' }), fromSsm)).toBe('FromEnv');
  });

  it('comes from SSM in the same GetParameters call as the table and owner index', async () => {
    fake.setParameter(`${prefix}/dynamoTable`, 'videos-prod');
    fake.setParameter(`${prefix}/dynamoOwnerIndex`, 'OwnerIndex');
    fake.setParameter(`${prefix}/dynamoStatusIndex`, 'ByOwnerAndStatus');
    const fromSsm = await read();
    expect([dynamoNames(config(), fromSsm), dynamoStatusIndex(config(), fromSsm)]).toEqual([
      { table: 'videos-prod', ownerIndex: 'OwnerIndex' },
      'ByOwnerAndStatus',
    ]);
    // (The work index name, optional too, is asked in the same call.)
    expect(fake.requests.map((request) => request.body.Names)).toEqual([
      [`${prefix}/dynamoTable`, `${prefix}/dynamoOwnerIndex`, `${prefix}/dynamoStatusIndex`, `${prefix}/dynamoWorkIndex`],
    ]);
  });

  it('is asked for alone when the table and owner index are explicit, and is not asked for when explicit itself', async () => {
    fake.setParameter(`${prefix}/dynamoStatusIndex`, 'ByOwnerAndStatus');
    const env = { DYNAMO_TABLE: 't', DYNAMO_OWNER_INDEX: 'i' };
    expect(dynamoStatusIndex(config(env), await read(env))).toBe('ByOwnerAndStatus');
    expect(fake.requests.map((request) => request.body.Names)).toEqual([[`${prefix}/dynamoStatusIndex`, `${prefix}/dynamoWorkIndex`]]);
    fake.requests.length = 0;
    const explicit = { ...env, DYNAMO_STATUS_INDEX: 's', DYNAMO_WORK_INDEX: 'w' };
    expect(dynamoStatusIndex(config(explicit), await read(explicit))).toBe('s');
    expect(fake.requests).toHaveLength(0);
  });

  it('takes the default when the parameter is absent, which is no start-up error', async () => {
    fake.setParameter(`${prefix}/dynamoTable`, 'videos-prod');
    fake.setParameter(`${prefix}/dynamoOwnerIndex`, 'OwnerIndex');
    expect(dynamoStatusIndex(config(), await read())).toBe('OwnerStatusIndex');
    expect(dynamoStatusIndex(config({ DYNAMO_TABLE: 't', DYNAMO_OWNER_INDEX: 'i' }), await read({ DYNAMO_TABLE: 't', DYNAMO_OWNER_INDEX: 'i' }))).toBe(
      'OwnerStatusIndex',
    );
  });

  it('an IAM policy that grants only the older parameters still starts: the call is repeated without the new name', async () => {
    fake.setParameter(`${prefix}/dynamoTable`, 'videos-prod');
    fake.setParameter(`${prefix}/dynamoOwnerIndex`, 'OwnerIndex');
    fake.setParameter(`${prefix}/dynamoStatusIndex`, 'Unreadable');
    const refused = (names: string[]) => names.includes(`${prefix}/dynamoStatusIndex`);
    const fromSsm = await read({}, refused);
    expect([dynamoNames(config(), fromSsm), dynamoStatusIndex(config(), fromSsm)]).toEqual([
      { table: 'videos-prod', ownerIndex: 'OwnerIndex' },
      'OwnerStatusIndex',
    ]);
    // The refused call never reached SSM; the repeated one did.
    expect(fake.requests.map((request) => request.body.Names)).toEqual([[`${prefix}/dynamoTable`, `${prefix}/dynamoOwnerIndex`]]);
    const env = { DYNAMO_TABLE: 't', DYNAMO_OWNER_INDEX: 'i' };
    expect(dynamoStatusIndex(config(env), await read(env, refused))).toBe('OwnerStatusIndex');
  });
});
