import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, dynamoNames, dynamoWorkIndex, parseConfig, readEnvironment } from '../../src/app/config.ts';
import { defaultLimits } from '../../src/app/limits.ts';

function refusal(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected ConfigError');
}

describe('configuration', () => {
  it('has the SPEC §5 defaults', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      store: 'sqlite',
      sqlite: { path: './data/videos.sqlite', synchronous: 'FULL' },
      dynamo: { table: undefined, ownerIndex: undefined },
      ssmParameterPrefix: undefined,
      logLevel: 'info',
      production: false,
      claimMaxAttempts: 3,
    });
    expect(dynamoNames(config)).toEqual({ table: 'videos', ownerIndex: 'OwnerIndex' });
    expect(dynamoWorkIndex(config)).toBe('WorkIndex');
  });

  it('reads every variable', () => {
    const config = parseConfig({
      HOST: '::1',
      PORT: '0',
      VIDEO_STORE: 'dynamodb',
      SQLITE_PATH: ':memory:',
      SQLITE_SYNCHRONOUS: 'normal',
      DYNAMO_TABLE: 't',
      DYNAMO_OWNER_INDEX: 'i',
      DYNAMO_STATUS_INDEX: 's',
      DYNAMO_WORK_INDEX: 'w',
      CLAIM_MAX_ATTEMPTS: '100',
      SSM_PARAMETER_PREFIX: '/n11817143/app/',
      JWT_SECRET_ID: 'arn:secret',
      JWT_ISSUER: 'iss',
      JWT_AUDIENCE: 'aud',
      TLS_CERT_FILE: 'c.pem',
      TLS_KEY_FILE: 'k.pem',
      LOG_LEVEL: 'DEBUG',
      NODE_ENV: 'production',
      AWS_REGION: 'ap-southeast-2',
      MAX_CONNECTIONS: '50',
      CORS_ORIGINS: 'https://app.example',
    });
    expect(config).toEqual({
      host: '::1',
      port: 0,
      store: 'dynamodb',
      sqlite: { path: ':memory:', synchronous: 'NORMAL' },
      dynamo: { table: 't', ownerIndex: 'i', statusIndex: 's', workIndex: 'w' },
      ssmParameterPrefix: '/n11817143/app',
      jwt: { secret: undefined, secretId: 'arn:secret', issuer: 'iss', audience: 'aud' },
      tls: { certFile: 'c.pem', keyFile: 'k.pem' },
      logLevel: 'debug',
      production: true,
      awsRegion: 'ap-southeast-2',
      limits: { ...defaultLimits, maxConnections: 50 },
      claimMaxAttempts: 100,
      corsOrigins: ['https://app.example'],
    });
  });

  it('is frozen', () => {
    const config = parseConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.sqlite)).toBe(true);
  });

  it('takes the older deployment switch USE_DYNAMO=true as dynamodb, unless VIDEO_STORE says otherwise', () => {
    expect(parseConfig({ USE_DYNAMO: 'true' }).store).toBe('dynamodb');
    expect(parseConfig({ USE_DYNAMO: 'false' }).store).toBe('sqlite');
    expect(parseConfig({ USE_DYNAMO: 'true', VIDEO_STORE: 'sqlite' }).store).toBe('sqlite');
    expect(parseConfig({ USE_DYNAMO: 'TRUE' }).store).toBe('dynamodb');
    expect(parseConfig({ USE_DYNAMO: '1' }).store).toBe('dynamodb');
    expect(parseConfig({ USE_DYNAMO: '0' }).store).toBe('sqlite');
    expect(parseConfig({ USE_DYNAMO: ' False ' }).store).toBe('sqlite');
    expect(parseConfig({ USE_DYNAMO: '' }).store).toBe('sqlite');
  });

  it('names the work index by DYNAMO_WORK_INDEX, else SSM dynamoWorkIndex, else WorkIndex', () => {
    const ssm = new Map([['dynamoWorkIndex', 'WorkFromSsm']]);
    expect(dynamoWorkIndex(parseConfig({}), ssm)).toBe('WorkFromSsm');
    expect(dynamoWorkIndex(parseConfig({ DYNAMO_WORK_INDEX: 'WorkFromEnv' }), ssm)).toBe('WorkFromEnv');
    expect(dynamoWorkIndex(parseConfig({}), new Map())).toBe('WorkIndex');
  });

  it('prefers explicit environment over SSM over defaults for DynamoDB names', () => {
    const ssm = new Map([['dynamoTable', 'from-ssm'], ['dynamoOwnerIndex', 'ssm-index']]);
    expect(dynamoNames(parseConfig({}), ssm)).toEqual({ table: 'from-ssm', ownerIndex: 'ssm-index' });
    expect(dynamoNames(parseConfig({ DYNAMO_TABLE: 'env' }), ssm)).toEqual({ table: 'env', ownerIndex: 'ssm-index' });
    expect(dynamoNames(parseConfig({}), new Map([['dynamoTable', 'only']]))).toEqual({ table: 'only', ownerIndex: 'OwnerIndex' });
  });

  it.each([
    [{ PORT: 'http' }, 'PORT must be a whole number from 0 to 65535 (got "http")'],
    [{ PORT: '65536' }, 'PORT must be a whole number from 0 to 65535 (got "65536")'],
    [{ PORT: '-1' }, 'PORT must be a whole number from 0 to 65535 (got "-1")'],
    [{ VIDEO_STORE: 'postgres' }, 'VIDEO_STORE must be "sqlite" or "dynamodb" (got "postgres")'],
    [{ USE_DYNAMO: 'yes' }, 'USE_DYNAMO must be true, false, 1 or 0 (got "yes")'],
    [{ USE_DYNAMO: 'on', VIDEO_STORE: 'dynamodb' }, 'USE_DYNAMO must be true, false, 1 or 0 (got "on")'],
    [{ SQLITE_SYNCHRONOUS: 'OFF' }, 'SQLITE_SYNCHRONOUS must be FULL or NORMAL (got "OFF")'],
    [{ TLS_CERT_FILE: 'c.pem' }, 'TLS_CERT_FILE and TLS_KEY_FILE must be set together (or neither)'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")'],
    [{ SSM_PARAMETER_PREFIX: 'app' }, 'SSM_PARAMETER_PREFIX must start with "/" (got "app")'],
    [{ JWT_SECRET: 'x'.repeat(40), JWT_SECRET_ID: 'id' }, 'set JWT_SECRET or JWT_SECRET_ID, not both'],
    [{ CLAIM_MAX_ATTEMPTS: '0' }, 'CLAIM_MAX_ATTEMPTS must be a whole number from 1 to 100 (got "0")'],
    [{ CLAIM_MAX_ATTEMPTS: '101' }, 'CLAIM_MAX_ATTEMPTS must be a whole number from 1 to 100 (got "101")'],
    [{ CLAIM_MAX_ATTEMPTS: '2.5' }, 'CLAIM_MAX_ATTEMPTS must be a whole number from 1 to 100 (got "2.5")'],
    [{ CLAIM_MAX_ATTEMPTS: 'three' }, 'CLAIM_MAX_ATTEMPTS must be a whole number from 1 to 100 (got "three")'],
  ])('refuses %j with one line naming the variable', (env, message) => {
    expect(refusal(env)).toBe(message);
  });

  it('names an unreadable .env file', () => {
    const directory = mkdtempSync(join(tmpdir(), 'videosvc-env-'));
    mkdirSync(join(directory, '.env'));
    expect(() => readEnvironment(directory)).toThrow(new ConfigError(`cannot read ${directory}/.env: EISDIR`));
  });

  it('reads .env under the explicit environment', () => {
    const directory = mkdtempSync(join(tmpdir(), 'videosvc-env-'));
    writeFileSync(join(directory, '.env'), 'VIDEOSVC_TEST_ONLY_A=file\nVIDEOSVC_TEST_ONLY_B=file\n');
    process.env.VIDEOSVC_TEST_ONLY_A = 'process';
    try {
      const env = readEnvironment(directory);
      expect(env.VIDEOSVC_TEST_ONLY_A).toBe('process');
      expect(env.VIDEOSVC_TEST_ONLY_B).toBe('file');
    } finally {
      delete process.env.VIDEOSVC_TEST_ONLY_A;
    }
  });
});
