// Issue 12 item 5: the IAM policies in deploy/ grant exactly the AWS actions the code can
// send (read from the SDK commands each CLI command's modules import), on the resources the
// example Deployment names, and nothing wider.
import { describe, expect, it } from 'vitest';
import { asList, deploymentEnv, iamPolicy, manifest, type PolicyStatement } from '../support/manifests.ts';
import { iamActionsFrom, sdkCallsFrom } from '../support/sdk-commands.ts';

// `serve` is what the pods run; the operator runs the rest, once, with another role.
const servicePolicy = { file: 'iam-policy.json', entries: ['src/cli/serve.ts'] };
const operatorPolicy = { file: 'iam-policy-operator.json', entries: ['src/cli/dynamo.ts', 'src/cli/migrate.ts', 'src/cli/token.ts'] };

function actionsOf(statements: readonly PolicyStatement[]): string[] {
  return [...new Set(statements.flatMap((statement) => asList(statement.Action)))].sort();
}

const env = deploymentEnv();
const region = String(env.AWS_REGION);
const account = /^arn:aws:iam::(\d{12}):role\//.exec(manifest('serviceaccount.yaml').metadata.annotations['eks.amazonaws.com/role-arn'])?.[1];
const table = `arn:aws:dynamodb:${region}:${account}:table/${String(env.DYNAMO_TABLE)}`;
const parameters = `arn:aws:ssm:${region}:${account}:parameter${String(env.SSM_PARAMETER_PREFIX)}/*`;
// Secrets Manager appends a hyphen and six random characters to a secret's name in its ARN.
const secret = `arn:aws:secretsmanager:${region}:${account}:secret:${String(env.JWT_SECRET_ID)}-??????`;
const allowedResources: Record<string, readonly string[]> = {
  dynamodb: [table, `${table}/index/*`],
  ssm: [parameters],
  secretsmanager: [secret],
};

describe('the SDK commands the code sends', () => {
  it('are found with the file that imports them, and serve reaches no table-administration command', () => {
    const calls = sdkCallsFrom('src/cli/serve.ts');
    expect(calls).toContainEqual({ file: 'src/adapters/dynamo/check-table.ts', name: 'client-dynamodb:DescribeTableCommand', action: 'dynamodb:DescribeTable' });
    expect(calls).toContainEqual({ file: 'src/adapters/dynamo/batch-get.ts', name: 'lib-dynamodb:BatchGetCommand', action: 'dynamodb:BatchGetItem' });
    expect(calls.map((call) => call.action)).not.toContain('dynamodb:Scan');
    expect(iamActionsFrom('src/cli/dynamo.ts')).toEqual(expect.arrayContaining(['dynamodb:CreateTable', 'dynamodb:UpdateTable', 'dynamodb:Scan']));
  });
});

describe.each([servicePolicy, operatorPolicy])('deploy/$file', ({ file, entries }) => {
  const policy = iamPolicy(file);

  it(`lists exactly the actions ${entries.join(', ')} can send, no more and no fewer`, () => {
    expect(actionsOf(policy.Statement)).toEqual(iamActionsFrom(...entries));
  });

  it('only allows, names every action and resource in full, and scopes each to its own service', () => {
    expect(policy.Version).toBe('2012-10-17');
    for (const statement of policy.Statement) {
      expect(statement.Effect).toBe('Allow');
      const services = new Set(asList(statement.Action).map((action) => action.split(':')[0]!));
      expect(services.size).toBe(1);
      for (const action of asList(statement.Action)) expect(action).toMatch(/^[a-z]+:[A-Z][A-Za-z]+$/);
      const service = [...services][0]!;
      for (const resource of asList(statement.Resource)) expect(allowedResources[service]).toContain(resource);
    }
  });

  it('gives the indexes nothing but Query, the only request that reads an index', () => {
    const onIndexes = policy.Statement.filter((statement) => asList(statement.Resource).some((resource) => resource.includes('/index/')));
    expect(onIndexes.length).toBeGreaterThan(0);
    for (const statement of onIndexes) expect(asList(statement.Action)).toEqual(['dynamodb:Query']);
  });
});

describe('the example names', () => {
  it('agree between the Deployment, the ServiceAccount and the policies', () => {
    expect(account).toMatch(/^\d{12}$/);
    expect(region).toMatch(/^[a-z]{2}-[a-z]+-\d$/);
    expect(env.VIDEO_STORE).toBe('dynamodb');
    for (const { file } of [servicePolicy, operatorPolicy]) {
      const resources = iamPolicy(file).Statement.flatMap((statement) => asList(statement.Resource));
      expect(new Set(resources)).toEqual(new Set([table, `${table}/index/*`, parameters, secret]));
    }
  });
});
