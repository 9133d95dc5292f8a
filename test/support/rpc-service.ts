// Starts the real RPC server on 127.0.0.1:0 over an in-memory SQLite store, or over a
// DynamoDB store on its own dynalite (owner/time index), with a captured pino log and a
// token minter, for e2e tests. Always stop() what you start.
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { DynamoVideoStore } from '../../src/adapters/dynamo/store.ts';
import { SqliteVideoStore } from '../../src/adapters/sqlite/store.ts';
import { systemClock } from '../../src/adapters/system/clock.ts';
import { uuidV7Ids } from '../../src/adapters/system/ids.ts';
import { startRpcServer, type RpcServer } from '../../src/adapters/rpc/server.ts';
import { mintToken } from '../../src/adapters/token/mint.ts';
import { createTokenVerifier } from '../../src/adapters/token/verifier.ts';
import type { Limits } from '../../src/app/limits.ts';
import { createPageTokenCodec } from '../../src/app/page-token.ts';
import { Claims } from '../../src/app/claims.ts';
import { Videos } from '../../src/app/videos.ts';
import type { TokenSecretRing, VideoStore } from '../../src/domain/ports.ts';
import { createVideosTable, startDynalite, testClient } from './dynalite.ts';

/** The stores an e2e suite can run on: the embedded default, and DynamoDB on dynalite. */
export type TestStoreKind = 'sqlite' | 'dynamodb';
export const testStoreKinds: readonly TestStoreKind[] = ['sqlite', 'dynamodb'];

export interface TestServiceOptions {
  /** Default sqlite (in memory); dynamodb starts a dynalite of its own with the table created. */
  readonly store?: TestStoreKind;
  /** Wraps the real store, e.g. to make it slow or failing. */
  readonly wrapStore?: (store: VideoStore) => VideoStore;
  readonly healthWatchIntervalMs?: number;
  readonly tls?: { cert: string; key: string };
  /** The SPEC §6 limits; the server's defaults when absent. */
  readonly limits?: Limits;
  /** CLAIM_MAX_ATTEMPTS (default 3). */
  readonly claimMaxAttempts?: number;
  /** The long poll's interval (default 1 s). */
  readonly claimPollIntervalMs?: number;
  /** CORS_ORIGINS: browser origins allowed to call (default none: CORS off). */
  readonly corsOrigins?: readonly string[];
}

export interface TestService {
  readonly url: string;
  readonly port: number;
  readonly server: RpcServer;
  /** The HS256 secret the service verifies with. */
  readonly secret: Uint8Array;
  /** Every log line so far, parsed, and the raw text (to check that no token leaks). */
  readonly logs: Record<string, unknown>[];
  readonly rawLog: string[];
  /** A valid token for `owner`, with the admin scope when asked. */
  mint(owner: string, options?: { admin?: boolean; ttlSeconds?: number }): Promise<string>;
  stop(): Promise<void>;
}

/** A ring holding one fixed secret, until the real secret ring is wired in. */
export function fixedSecretRing(current: Uint8Array): TokenSecretRing {
  const secrets = { current };
  return { secrets: () => secrets, refreshAfterFailure: async () => false, close() {} };
}

/** Starts the service; resolves once it listens. */
export async function startTestService(options: TestServiceOptions = {}): Promise<TestService> {
  const secret = new Uint8Array(randomBytes(32));
  const opened = await openTestStore(options.store ?? 'sqlite');
  const store = options.wrapStore ? options.wrapStore(opened.store) : opened.store;
  const logs: Record<string, unknown>[] = [];
  const rawLog: string[] = [];
  const logger = pino(
    { level: 'info' },
    {
      write(line: string) {
        rawLog.push(line);
        logs.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  );
  const ring = fixedSecretRing(secret);
  const claims = new Claims(store, systemClock, { maxAttempts: options.claimMaxAttempts ?? 3, pollIntervalMs: options.claimPollIntervalMs });
  const server = await startRpcServer({
    videos: new Videos(store, systemClock, uuidV7Ids, createPageTokenCodec(() => ring.secrets()), () => claims.wake()),
    claims,
    ping: () => store.ping(),
    verifier: createTokenVerifier({ ring }),
    logger,
    host: '127.0.0.1',
    port: 0,
    tls: options.tls,
    healthWatchIntervalMs: options.healthWatchIntervalMs,
    limits: options.limits,
    corsOrigins: options.corsOrigins,
  }).catch(async (error: unknown) => {
    await opened.close();
    throw error;
  });
  return {
    url: server.url,
    port: server.port,
    server,
    secret,
    logs,
    rawLog,
    mint: (owner, mintOptions = {}) =>
      mintToken({ secret, subject: owner, admin: mintOptions.admin, ttlSeconds: mintOptions.ttlSeconds ?? 3600 }),
    async stop() {
      await server.close({ graceMs: 2_000 });
      await opened.close();
    },
  };
}

/** A store of `kind`, and how to close it together with whatever was started for it. */
async function openTestStore(kind: TestStoreKind): Promise<{ store: VideoStore; close(): Promise<void> }> {
  if (kind === 'sqlite') {
    const store = await SqliteVideoStore.open({ path: ':memory:' });
    return { store, close: () => store.close() };
  }
  const dynamo = await startDynalite();
  const client = testClient(dynamo.endpoint);
  const close = async () => {
    client.destroy();
    await dynamo.stop();
  };
  try {
    const names = { table: 'videos', ownerIndex: 'OwnerIndex' };
    await createVideosTable(client, names, 'owner-time');
    // The store leaves a client it was given open; close() above destroys it.
    return { store: await DynamoVideoStore.open({ ...names, client }), close };
  } catch (error) {
    await close();
    throw error;
  }
}
