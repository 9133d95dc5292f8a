// A loopback HTTP server speaking the AWS JSON 1.1 protocol for exactly the actions
// videosvc uses (SSM GetParameters / GetParametersByPath, Secrets Manager
// GetSecretValue), so tests drive the real SDK clients and assert on the requests
// they send. Only 127.0.0.1; always stop() what you start.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake saw it. */
export interface FakeAwsRequest {
  /** The X-Amz-Target header, e.g. `AmazonSSM.GetParameters`. */
  readonly target: string;
  readonly body: Record<string, unknown>;
  /** True when an `Authorization: AWS4-HMAC-SHA256 …` (SigV4) header was present. */
  readonly signed: boolean;
}

/** A stored secret version: a string, or binary only (SecretBinary). */
export type FakeSecretValue = string | { readonly binary: Uint8Array };

/** How a target fails: an AWS error (`type`, `message`) or a request left unanswered. */
export type FakeFailure = { readonly type: string; readonly message?: string; readonly status?: number } | 'hang';

export interface FakeAws {
  /** `http://127.0.0.1:<port>`; give it to the SDK as `endpoint` or AWS_ENDPOINT_URL_*. */
  readonly endpoint: string;
  /** Every request received, oldest first. */
  readonly requests: FakeAwsRequest[];
  /** Requests for one target (`AmazonSSM.GetParameters`, `secretsmanager.GetSecretValue`, …). */
  requestsFor(target: string): FakeAwsRequest[];
  setParameter(name: string, value: string, type?: 'String' | 'SecureString'): void;
  deleteParameter(name: string): void;
  /** Replaces a secret's stages; a stage left out (or undefined) does not exist. */
  setSecret(id: string, stages: { AWSCURRENT?: FakeSecretValue; AWSPREVIOUS?: FakeSecretValue }): void;
  /** What Secrets Manager rotation does: AWSCURRENT moves to AWSPREVIOUS, `value` becomes AWSCURRENT. */
  rotateSecret(id: string, value: FakeSecretValue): void;
  deleteSecret(id: string): void;
  /** Makes every request for `target` fail this way until clearFailures(). */
  fail(target: string, failure: FakeFailure): void;
  clearFailures(): void;
  stop(): Promise<void>;
}

interface Parameter {
  readonly value: string;
  readonly type: 'String' | 'SecureString';
  readonly version: number;
}

interface SecretVersion {
  readonly id: string;
  readonly value: FakeSecretValue;
}

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** Starts the fake on 127.0.0.1 with an ephemeral port. */
export async function startFakeAws(): Promise<FakeAws> {
  const parameters = new Map<string, Parameter>();
  const secrets = new Map<string, Map<string, SecretVersion>>();
  const failures = new Map<string, FakeFailure>();
  const requests: FakeAwsRequest[] = [];
  let versionCounter = 0;
  const nextVersionId = () => `00000000-0000-4000-8000-${String(++versionCounter).padStart(12, '0')}`;

  const actions: Record<string, (body: Record<string, unknown>) => unknown> = {
    'AmazonSSM.GetParameters': (body) => {
      const names = (body.Names as string[] | undefined) ?? [];
      const decrypt = body.WithDecryption === true;
      const found = names.filter((name) => parameters.has(name));
      return {
        Parameters: found.map((name) => parameterJson(name, parameters.get(name)!, decrypt)),
        InvalidParameters: names.filter((name) => !parameters.has(name)),
      };
    },
    'AmazonSSM.GetParametersByPath': (body) => {
      const path = String(body.Path ?? '').replace(/\/+$/, '');
      const decrypt = body.WithDecryption === true;
      const recursive = body.Recursive === true;
      const under = [...parameters.keys()].filter((name) => {
        if (!name.startsWith(`${path}/`)) return false;
        return recursive || !name.slice(path.length + 1).includes('/');
      });
      return { Parameters: under.map((name) => parameterJson(name, parameters.get(name)!, decrypt)) };
    },
    'secretsmanager.GetSecretValue': (body) => {
      const id = String(body.SecretId ?? '');
      const stage = typeof body.VersionStage === 'string' ? body.VersionStage : 'AWSCURRENT';
      const stages = secrets.get(id);
      if (stages === undefined) {
        throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
      }
      const version = stages.get(stage);
      if (version === undefined) {
        throw new AwsError(
          'ResourceNotFoundException',
          `Secrets Manager can't find the specified secret value for staging label: ${stage}`,
        );
      }
      const value = version.value;
      return {
        ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${id}-AbCdEf`,
        Name: id,
        VersionId: version.id,
        VersionStages: [...stages.entries()].filter(([, v]) => v.id === version.id).map(([s]) => s),
        CreatedDate: 1_700_000_000,
        ...(typeof value === 'string'
          ? { SecretString: value }
          : { SecretBinary: Buffer.from(value.binary).toString('base64') }),
      };
    },
  };

  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      return send(res, 400, { __type: 'SerializationException', message: 'body is not JSON' });
    }
    const authorization = String(req.headers.authorization ?? '');
    requests.push({ target, body, signed: authorization.startsWith('AWS4-HMAC-SHA256 Credential=') });

    const failure = failures.get(target);
    if (failure === 'hang') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    try {
      if (failure !== undefined) throw new AwsError(failure.type, failure.message ?? failure.type, failure.status);
      const action = actions[target];
      if (action === undefined) throw new AwsError('UnknownOperationException', `unknown target ${target}`);
      send(res, 200, action(body));
    } catch (error) {
      const aws = error instanceof AwsError ? error : new AwsError('InternalFailure', String(error), 500);
      send(res, aws.status, { __type: aws.type, message: aws.message }, aws.type);
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const setStage = (id: string, stage: string, value: FakeSecretValue | undefined) => {
    const stages = secrets.get(id) ?? new Map<string, SecretVersion>();
    if (value === undefined) stages.delete(stage);
    else stages.set(stage, { id: nextVersionId(), value });
    secrets.set(id, stages);
  };

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    requestsFor: (target) => requests.filter((request) => request.target === target),
    setParameter(name, value, type = 'String') {
      parameters.set(name, { value, type, version: (parameters.get(name)?.version ?? 0) + 1 });
    },
    deleteParameter: (name) => void parameters.delete(name),
    setSecret(id, stages) {
      secrets.set(id, new Map());
      setStage(id, 'AWSCURRENT', stages.AWSCURRENT);
      setStage(id, 'AWSPREVIOUS', stages.AWSPREVIOUS);
    },
    rotateSecret(id, value) {
      const stages = secrets.get(id) ?? new Map<string, SecretVersion>();
      const current = stages.get('AWSCURRENT');
      if (current !== undefined) stages.set('AWSPREVIOUS', current);
      stages.set('AWSCURRENT', { id: nextVersionId(), value });
      secrets.set(id, stages);
    },
    deleteSecret: (id) => void secrets.delete(id),
    fail: (target, failure) => void failures.set(target, failure),
    clearFailures: () => failures.clear(),
    async stop() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function parameterJson(name: string, parameter: Parameter, decrypt: boolean) {
  // Like SSM: a SecureString read without WithDecryption comes back as ciphertext.
  const encrypted = parameter.type === 'SecureString' && !decrypt;
  return {
    Name: name,
    Type: parameter.type,
    Value: encrypted ? `AQICAH${Buffer.from(parameter.value).toString('base64')}` : parameter.value,
    Version: parameter.version,
    LastModifiedDate: 1_700_000_000,
    ARN: `arn:aws:ssm:us-east-1:000000000000:parameter${name}`,
    DataType: 'text',
  };
}

function send(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': '00000000-0000-4000-8000-000000000000',
    ...(errorType === undefined ? {} : { 'x-amzn-errortype': errorType }),
  });
  res.end(text);
}

/** The dummy credentials tests sign with; the fake accepts any SigV4 signature. */
export const testCredentials = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

/** SDK client options aimed at `fake` (one attempt, so failure tests stay fast). */
export function fakeAwsClientOptions(fake: Pick<FakeAws, 'endpoint'>) {
  return { endpoint: fake.endpoint, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 };
}

/** A 127.0.0.1 port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
