// Which AWS API actions a command of the CLI can call, read from the source: every module
// reachable from the command's file by relative imports (static or dynamic), and every AWS
// SDK command, waiter or paginator those modules import, mapped to its IAM action. Coarse
// on purpose: a module that imports a command counts as calling it, so the answer can only
// err towards more actions, never fewer.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

// The document client's commands are named after items, not after the API they call.
const documentClientActions: Record<string, string> = {
  GetCommand: 'GetItem',
  PutCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  QueryCommand: 'Query',
  ScanCommand: 'Scan',
  BatchGetCommand: 'BatchGetItem',
  BatchWriteCommand: 'BatchWriteItem',
  TransactGetCommand: 'TransactGetItems',
  TransactWriteCommand: 'TransactWriteItems',
  ExecuteStatementCommand: 'PartiQLSelect',
};

// IAM's service prefix for each SDK package the service may use.
const servicePrefixes: Record<string, string> = {
  'client-dynamodb': 'dynamodb',
  'lib-dynamodb': 'dynamodb',
  'client-ssm': 'ssm',
  'client-secrets-manager': 'secretsmanager',
};

// Waiters poll a Describe call: waitUntilTableExists sends DescribeTable.
const waiterActions: Record<string, string> = {
  waitUntilTableExists: 'DescribeTable',
  waitUntilTableNotExists: 'DescribeTable',
};

// Clients with a method per API call (`doc.get(…)`) send without importing a command.
const aggregatedClients = new Set(['DynamoDB', 'DynamoDBDocument', 'SSM', 'SecretsManager']);

/** One SDK import that sends a request: where it comes from and the IAM action it needs. */
export interface SdkCall {
  readonly file: string;
  readonly name: string;
  readonly action: string;
}

/** The source files reachable from `entry` (relative to the repository root) through relative imports. */
export function reachableModules(entry: string): string[] {
  const seen = new Set<string>();
  const pending = [resolve(root, entry)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)'(\.{1,2}\/[^']+)'/gm)) {
      const target = resolve(dirname(file), match[1]!);
      if (!existsSync(target)) throw new Error(`${relative(root, file)} imports ${match[1]}, which does not exist`);
      pending.push(target);
    }
  }
  return [...seen].map((file) => relative(root, file)).sort();
}

/** Every request-sending SDK import in the modules reachable from `entry`, with its IAM action. */
export function sdkCallsFrom(entry: string): SdkCall[] {
  const calls: SdkCall[] = [];
  for (const file of reachableModules(entry)) {
    const text = readFileSync(resolve(root, file), 'utf8');
    // `import('@aws-sdk/…').Type` is a type, which sends nothing.
    if (/import\s*\*\s*as\s+\w+\s+from\s*'@aws-sdk\//.test(text) || /import\s*\(\s*'@aws-sdk\/[^']+'\s*\)(?!\.[A-Z])/.test(text)) {
      throw new Error(`${file}: a namespace or dynamic import of the AWS SDK hides which commands it sends`);
    }
    for (const match of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/([^']+)'/g)) {
      const sdkPackage = match[2]!;
      for (const part of match[1]!.split(',')) {
        const name = part.trim().split(/\s+as\s+/)[0]!;
        if (name === '' || name.startsWith('type ')) continue;
        if (aggregatedClients.has(name)) throw new Error(`${file}: ${name} sends through methods, not commands; use the XxxCommand classes`);
        const action = actionOf(sdkPackage, name);
        if (action !== undefined) calls.push({ file, name: `${sdkPackage}:${name}`, action });
      }
    }
  }
  return calls;
}

/** The distinct IAM actions of `entries`' SDK calls, sorted. */
export function iamActionsFrom(...entries: string[]): string[] {
  return [...new Set(entries.flatMap((entry) => sdkCallsFrom(entry).map((call) => call.action)))].sort();
}

// undefined for imports that send nothing (clients, exceptions, helpers like NumberValue).
function actionOf(sdkPackage: string, name: string): string | undefined {
  const sends = /Command$/.test(name) || /^(waitUntil|paginate)[A-Z]/.test(name);
  if (!sends) return undefined;
  const prefix = servicePrefixes[sdkPackage];
  if (prefix === undefined) throw new Error(`@aws-sdk/${sdkPackage} has no IAM service prefix here; add it`);
  let action: string | undefined;
  if (name.startsWith('waitUntil')) action = waiterActions[name];
  else if (name.startsWith('paginate')) action = name.slice('paginate'.length);
  else if (sdkPackage === 'lib-dynamodb') action = documentClientActions[name];
  else action = name.slice(0, -'Command'.length);
  if (action === undefined) throw new Error(`no IAM action known for @aws-sdk/${sdkPackage} ${name}; add it`);
  return `${prefix}:${action}`;
}
