// videosvc as users run it: `node bin/videosvc.mjs serve` in a process of its own, on a
// free loopback port, configured only through its environment. The call log stays at
// the default level (info), because writing it is part of what a call costs; it goes to
// a file, which the bench reads afterwards to count the codes of the calls it timed.
import { join } from 'node:path';
import { baseEnvironment, runToEnd, startServer, type ServerProcess } from '../processes.ts';

const repository = new URL('../..', import.meta.url).pathname;
const executable = join(repository, 'bin/videosvc.mjs');

/** The DynamoDB table the bench creates and the service reads. */
export const dynamoTable = 'videos';

/** Where the service keeps its videos. */
export type StoreSetting = { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'dynamodb'; readonly endpoint: string };

/**
 * The environment of a bench service: a random JWT_SECRET, the rate limiter off
 * (RATE_LIMIT_PER_SECOND=0: one token drives every call, and its per-caller bucket
 * would otherwise cap the run), no shutdown delay; every other limit at its default,
 * SQLITE_SYNCHRONOUS at its default (FULL).
 */
export function videosvcEnvironment(store: StoreSetting, jwtSecret: string): NodeJS.ProcessEnv {
  const common = { ...baseEnvironment(), PORT: '0', HOST: '127.0.0.1', JWT_SECRET: jwtSecret, LOG_LEVEL: 'info', RATE_LIMIT_PER_SECOND: '0', SHUTDOWN_DELAY_MS: '0',
    // The ClaimVideo cycle gives every video back, so each is claimed again and again: a
    // high limit keeps the queue from failing videos for their attempts during a run.
    CLAIM_MAX_ATTEMPTS: '100' };
  if (store.kind === 'sqlite') return { ...common, VIDEO_STORE: 'sqlite', SQLITE_PATH: store.path };
  return {
    ...common,
    VIDEO_STORE: 'dynamodb',
    DYNAMO_TABLE: dynamoTable,
    AWS_ENDPOINT_URL_DYNAMODB: store.endpoint,
    AWS_REGION: 'us-east-1',
    // dynalite accepts any signature; the SDK still wants something to sign with.
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
  };
}

/** Starts `videosvc serve`; `scratch` is its working directory (so no .env of the caller's is read) and holds its log. */
export function startVideosvc(name: string, store: StoreSetting, jwtSecret: string, scratch: string): Promise<ServerProcess> {
  return startServer({
    name,
    command: process.execPath,
    args: [executable, 'serve'],
    env: videosvcEnvironment(store, jwtSecret),
    cwd: scratch,
    stdoutFile: join(scratch, `${name}.log`),
  });
}

/** `videosvc dynamo create-table` with the environment the service will run with. */
export async function createDynamoTable(endpoint: string, jwtSecret: string, scratch: string): Promise<void> {
  await runToEnd(process.execPath, [executable, 'dynamo', 'create-table'], {
    env: videosvcEnvironment({ kind: 'dynamodb', endpoint }, jwtSecret),
    cwd: scratch,
  });
}
