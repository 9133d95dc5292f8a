// Environment → one validated, frozen Config (SPEC §5). The only module that reads
// process.env. Each variable's default sits next to it in `defaults`; a bad value
// throws ConfigError naming the variable and what to do.
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { claimLimits } from '../domain/claim.ts';
import { ConfigError, type Environment } from './config-error.ts';
import { parseCorsOrigins } from './cors-origins.ts';
import { parseLimits, type Limits } from './limits.ts';

export type StoreKind = 'sqlite' | 'dynamodb';
export type SqliteSynchronous = 'FULL' | 'NORMAL';

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly store: StoreKind;
  readonly sqlite: { readonly path: string; readonly synchronous: SqliteSynchronous };
  /** Names given explicitly in the environment; SSM and defaults fill the rest (see dynamoNames). */
  readonly dynamo: { readonly table?: string; readonly ownerIndex?: string; readonly statusIndex?: string; readonly workIndex?: string };
  readonly ssmParameterPrefix?: string;
  readonly jwt: {
    readonly secret?: string;
    readonly secretId?: string;
    readonly issuer?: string;
    readonly audience?: string;
  };
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  readonly logLevel: string;
  readonly production: boolean;
  /** The AWS SDK reads AWS_* itself; kept here only so start-up can say what is missing. */
  readonly awsRegion?: string;
  /** Timeouts, caps and rate limits (SPEC §6), see limits.ts. */
  readonly limits: Limits;
  /** CLAIM_MAX_ATTEMPTS (SPEC §9): claims of one video before it is set FAILED. */
  readonly claimMaxAttempts: number;
  /** CORS_ORIGINS (SPEC §6): browser origins allowed to call, as their Origin headers read; empty (the default) turns CORS off. */
  readonly corsOrigins: readonly string[];
}

export { ConfigError, type Environment };

export const defaults = {
  HOST: '127.0.0.1',
  PORT: 8080,
  VIDEO_STORE: 'sqlite',
  SQLITE_PATH: './data/videos.sqlite',
  SQLITE_SYNCHRONOUS: 'FULL',
  DYNAMO_TABLE: 'videos',
  DYNAMO_OWNER_INDEX: 'OwnerIndex',
  DYNAMO_STATUS_INDEX: 'OwnerStatusIndex',
  DYNAMO_WORK_INDEX: 'WorkIndex',
  CLAIM_MAX_ATTEMPTS: claimLimits.defaultMaxAttempts,
  LOG_LEVEL: 'info',
} as const;

/** SSM parameter names under SSM_PARAMETER_PREFIX, as the existing deployment has them. */
export const ssmParameterNames = {
  table: 'dynamoTable',
  ownerIndex: 'dynamoOwnerIndex',
  statusIndex: 'dynamoStatusIndex',
  workIndex: 'dynamoWorkIndex',
} as const;

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];


/** process.env over the `.env` file in `directory` (explicit environment wins). */
export function readEnvironment(directory = process.cwd()): Environment {
  const file = `${directory}/.env`;
  let fromFile: Environment = {};
  if (existsSync(file)) {
    try {
      fromFile = parseEnv(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ConfigError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  return { ...fromFile, ...process.env };
}

function text(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined) return defaults.PORT;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65_535) {
    throw new ConfigError(`PORT must be a whole number from 0 to 65535 (got "${raw}")`);
  }
  return port;
}

// The older deployment's switch. Only these spellings (any case): anything else, such as
// `yes`, used to fall back to SQLite without a word, so it is refused instead.
const useDynamoValues: Readonly<Record<string, boolean>> = { true: true, '1': true, false: false, '0': false };

function parseUseDynamo(raw: string | undefined): boolean | undefined {
  if (raw === undefined) return undefined;
  const value = useDynamoValues[raw.toLowerCase()];
  if (value === undefined) throw new ConfigError(`USE_DYNAMO must be true, false, 1 or 0 (got "${raw}")`);
  return value;
}

function parseStore(env: Environment): StoreKind {
  const raw = text(env, 'VIDEO_STORE')?.toLowerCase();
  // Checked even when VIDEO_STORE wins, so a mistyped switch is never silently ignored.
  const useDynamo = parseUseDynamo(text(env, 'USE_DYNAMO'));
  if (raw === undefined) return useDynamo === true ? 'dynamodb' : defaults.VIDEO_STORE;
  if (raw === 'sqlite' || raw === 'dynamodb') return raw;
  throw new ConfigError(`VIDEO_STORE must be "sqlite" or "dynamodb" (got "${env.VIDEO_STORE}")`);
}

function parseSynchronous(raw: string | undefined): SqliteSynchronous {
  const value = (raw ?? defaults.SQLITE_SYNCHRONOUS).toUpperCase();
  if (value === 'FULL' || value === 'NORMAL') return value;
  throw new ConfigError(`SQLITE_SYNCHRONOUS must be FULL or NORMAL (got "${raw}")`);
}

function parseTls(env: Environment): Config['tls'] {
  const certFile = text(env, 'TLS_CERT_FILE');
  const keyFile = text(env, 'TLS_KEY_FILE');
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) {
    throw new ConfigError('TLS_CERT_FILE and TLS_KEY_FILE must be set together (or neither)');
  }
  return { certFile, keyFile };
}

function parseLogLevel(raw: string | undefined): string {
  const level = (raw ?? defaults.LOG_LEVEL).toLowerCase();
  if (logLevels.includes(level)) return level;
  throw new ConfigError(`LOG_LEVEL must be one of ${logLevels.join(', ')} (got "${raw}")`);
}

function parseClaimMaxAttempts(raw: string | undefined): number {
  if (raw === undefined) return defaults.CLAIM_MAX_ATTEMPTS;
  const [min, max] = claimLimits.maxAttemptsRange;
  const attempts = Number(raw);
  if (!/^\d+$/.test(raw) || attempts < min || attempts > max) {
    throw new ConfigError(`CLAIM_MAX_ATTEMPTS must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return attempts;
}

function parsePrefix(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!raw.startsWith('/')) throw new ConfigError(`SSM_PARAMETER_PREFIX must start with "/" (got "${raw}")`);
  return raw.replace(/\/+$/, '');
}

/** Parses and checks the environment into a frozen Config; throws ConfigError on the first problem. */
export function parseConfig(env: Environment): Config {
  const config: Config = {
    host: text(env, 'HOST') ?? defaults.HOST,
    port: parsePort(text(env, 'PORT')),
    store: parseStore(env),
    sqlite: {
      path: text(env, 'SQLITE_PATH') ?? defaults.SQLITE_PATH,
      synchronous: parseSynchronous(text(env, 'SQLITE_SYNCHRONOUS')),
    },
    dynamo: {
      table: text(env, 'DYNAMO_TABLE'),
      ownerIndex: text(env, 'DYNAMO_OWNER_INDEX'),
      statusIndex: text(env, 'DYNAMO_STATUS_INDEX'),
      workIndex: text(env, 'DYNAMO_WORK_INDEX'),
    },
    ssmParameterPrefix: parsePrefix(text(env, 'SSM_PARAMETER_PREFIX')),
    jwt: {
      secret: env.JWT_SECRET === '' ? undefined : env.JWT_SECRET,
      secretId: text(env, 'JWT_SECRET_ID'),
      issuer: text(env, 'JWT_ISSUER'),
      audience: text(env, 'JWT_AUDIENCE'),
    },
    tls: parseTls(env),
    logLevel: parseLogLevel(text(env, 'LOG_LEVEL')),
    production: text(env, 'NODE_ENV') === 'production',
    awsRegion: text(env, 'AWS_REGION') ?? text(env, 'AWS_DEFAULT_REGION'),
    limits: parseLimits(env),
    claimMaxAttempts: parseClaimMaxAttempts(text(env, 'CLAIM_MAX_ATTEMPTS')),
    corsOrigins: parseCorsOrigins(text(env, 'CORS_ORIGINS')),
  };
  if (config.jwt.secret !== undefined && config.jwt.secretId !== undefined) {
    throw new ConfigError('set JWT_SECRET or JWT_SECRET_ID, not both');
  }
  return deepFreeze(config);
}

/**
 * The DynamoDB table and index names in force. Precedence: explicit environment >
 * SSM (`fromSsm`, read under SSM_PARAMETER_PREFIX) > defaults.
 */
export function dynamoNames(
  config: Config,
  fromSsm: ReadonlyMap<string, string> = new Map(),
): { table: string; ownerIndex: string } {
  return {
    table: config.dynamo.table ?? fromSsm.get(ssmParameterNames.table) ?? defaults.DYNAMO_TABLE,
    ownerIndex: config.dynamo.ownerIndex ?? fromSsm.get(ssmParameterNames.ownerIndex) ?? defaults.DYNAMO_OWNER_INDEX,
  };
}

/**
 * The owner-and-status index name in force (SPEC §5): explicit environment > SSM
 * `<prefix>/dynamoStatusIndex` > default. Apart from dynamoNames because the existing
 * deployment has no such parameter, so SSM may lack it without that being an error.
 */
export function dynamoStatusIndex(config: Config, fromSsm: ReadonlyMap<string, string> = new Map()): string {
  return config.dynamo.statusIndex ?? fromSsm.get(ssmParameterNames.statusIndex) ?? defaults.DYNAMO_STATUS_INDEX;
}

/** The work index name in force (SPEC §9): explicit environment > SSM `<prefix>/dynamoWorkIndex` > default; optional in SSM as the status index is. */
export function dynamoWorkIndex(config: Config, fromSsm: ReadonlyMap<string, string> = new Map()): string {
  return config.dynamo.workIndex ?? fromSsm.get(ssmParameterNames.workIndex) ?? defaults.DYNAMO_WORK_INDEX;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
