// The composition root (STYLE §8): the one place that builds adapters and hands them to
// the use cases. Whatever was opened is closed again if a later step fails, so the
// service never listens half-configured (SPEC §5).
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger, type Logger } from '../adapters/log.ts';
import { startRpcServer } from '../adapters/rpc/server.ts';
import { systemClock } from '../adapters/system/clock.ts';
import { createServiceMetrics } from '../adapters/telemetry/metrics.ts';
import { observedStore } from '../adapters/telemetry/observed-store.ts';
import { uuidV7Ids } from '../adapters/system/ids.ts';
import { createTokenVerifier } from '../adapters/token/verifier.ts';
import { selectTokenSecretSource } from '../adapters/secret/select.ts';
import type { StoreCallOptions, TokenSecretRing, VideoStore } from '../domain/ports.ts';
import { ConfigError, type Config } from '../app/config.ts';
import { createPageTokenCodec } from '../app/page-token.ts';
import { openTokenSecretRing } from '../app/token-secret-ring.ts';
import { Claims } from '../app/claims.ts';
import { Videos } from '../app/videos.ts';

export interface StopOptions {
  /** How long in-flight calls may run on after stop() before they are cut off. */
  readonly graceMs?: number;
  /**
   * The pre-stop delay: for this long first, /readyz answers 503 and health NOT_SERVING
   * while calls are still accepted and served, so load balancers stop sending here before
   * the listener closes. Default 0 (tests and embedders stop at once); `serve` passes
   * limits.shutdownDelayMs on SIGTERM.
   */
  readonly preStopDelayMs?: number;
}

export interface RunningService {
  /** e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly port: number;
  /** After the pre-stop delay (if any) stops accepting, drains in-flight calls (bounded by graceMs), then closes the secret ring and the store. */
  stop(options?: StopOptions): Promise<void>;
}

export interface StartOptions {
  /** Defaults to a stdout logger at config.logLevel. */
  readonly logger?: Logger;
  /** How often the token secret is re-read; defaults in token-secret-ring.ts (tests shorten them). */
  readonly tokenSecretRing?: { readonly refreshIntervalMs?: number; readonly minRefreshGapMs?: number };
  /** How the process's runtime was tuned (serve's heap growth), for the `listening` line. */
  readonly runtime?: Record<string, unknown>;
}

/** A store plus what to log about it; the dynamodb branch builds it in dynamo-store.ts. */
export interface OpenedStore {
  readonly store: VideoStore;
  /** Closes the store and anything opened for it (an SDK client). */
  close(): Promise<void>;
  /** What the start-up log says about the store: kind, location, durability settings. */
  readonly description: Record<string, unknown>;
}

const defaultGraceMs = 10_000;

/** Builds every adapter from `config`, starts the RPC server, and returns a handle to stop it all. */
export async function start(config: Config, options: StartOptions = {}): Promise<RunningService> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const closers: Array<() => unknown> = [];
  try {
    // Cheapest checks first: an unreadable TLS file or a missing secret fails before any
    // database is created or migrated.
    const tls = config.tls === undefined ? undefined : await readTls(config.tls);
    const secrets = await openTokenSecrets(config, logger, closers, options.tokenSecretRing);
    const opened = await openStore(config, logger);
    closers.push(() => opened.close());
    // One registry for this service's calls and store requests (GET /metrics); every use
    // case reaches the store through the measuring decorator.
    const metrics = createServiceMetrics();
    const store = observedStore(opened.store, metrics.store, String(opened.description.kind));

    const verifier = createTokenVerifier({ ring: secrets.ring, issuer: config.jwt.issuer, audience: config.jwt.audience });
    // Page tokens are keyed by the token secret, so they survive restarts and work on every replica (SPEC §3).
    const pageTokens = createPageTokenCodec(() => secrets.ring.secrets());
    const claims = new Claims(store, systemClock, { maxAttempts: config.claimMaxAttempts });
    const videos = new Videos(store, systemClock, uuidV7Ids, pageTokens, () => claims.wake());
    const draining = new AbortController();
    const server = await listen(config, () =>
      startRpcServer({
        videos,
        claims,
        ping: (bounds?: StoreCallOptions) => store.ping(bounds),
        verifier,
        logger,
        host: config.host,
        port: config.port,
        tls,
        limits: config.limits,
        draining: draining.signal,
        corsOrigins: config.corsOrigins,
        metrics,
      }),
    );
    // The one line that says where the service is (PORT=0 picks a port nothing else
    // reports), so LOG_LEVEL=warn still gets it, at warn.
    const listeningLevel = logger.isLevelEnabled('info') ? 'info' : 'warn';
    logger[listeningLevel]({ url: server.url, store: opened.description, tokenSecret: secrets.origin, ...options.runtime }, 'listening');

    let stopping: Promise<void> | undefined;
    const stop = async ({ graceMs = defaultGraceMs, preStopDelayMs = 0 }: StopOptions = {}): Promise<void> => {
      // Closing the server first drains in-flight calls while the store is still open;
      // only then are the store and the ring closed.
      stopping ??= (async () => {
        if (preStopDelayMs > 0) {
          draining.abort();
          logger.info({ delayMs: preStopDelayMs }, 'not ready: still serving during the pre-stop delay');
          await sleep(preStopDelayMs);
        }
        await server.close({ graceMs });
      })().finally(() => closeAll(closers, logger));
      return stopping;
    };
    return { url: server.url, port: server.port, stop };
  } catch (error) {
    await closeAll(closers, logger);
    throw error;
  }
}

// The ring keeps the secret fresh for a rotation; `origin` names where it comes from
// (a variable, a secret id or a file path), never its value.
async function openTokenSecrets(
  config: Config,
  logger: Logger,
  closers: Array<() => unknown>,
  timing: StartOptions['tokenSecretRing'] = {},
): Promise<{ ring: TokenSecretRing; origin: string }> {
  const selected = await selectTokenSecretSource(config);
  closers.push(() => selected.close());
  const ring = await openTokenSecretRing(selected.source, {
    ...timing,
    onRefreshError: (error) => logger.warn({ err: error }, 'token secret refresh failed; the last good secret stays in force'),
  });
  closers.push(() => ring.close());
  return { ring, origin: selected.origin };
}

async function openStore(config: Config, logger: Logger): Promise<OpenedStore> {
  if (config.store === 'dynamodb') {
    // Each store's module is loaded only on its branch: a SQLite service never loads the
    // DynamoDB SDK, and a DynamoDB replica never loads the native SQLite driver.
    const { openDynamoStore } = await import('./dynamo-store.ts');
    return openDynamoStore(config, logger);
  }
  const { SqliteVideoStore } = await import('../adapters/sqlite/store.ts');
  const store = await SqliteVideoStore.open({ path: config.sqlite.path, synchronous: config.sqlite.synchronous });
  const settings = store.settings();
  return {
    store,
    close: () => store.close(),
    description: { kind: 'sqlite', path: config.sqlite.path, journalMode: settings.journalMode, synchronous: settings.synchronous },
  };
}

async function readTls(files: NonNullable<Config['tls']>): Promise<{ cert: Buffer; key: Buffer }> {
  const read = (variable: string, path: string) =>
    readFile(path).catch((error: NodeJS.ErrnoException) => {
      throw new ConfigError(`${variable}: cannot read ${path} (${error.code ?? error.message})`);
    });
  const [cert, key] = await Promise.all([read('TLS_CERT_FILE', files.certFile), read('TLS_KEY_FILE', files.keyFile)]);
  return { cert, key };
}

// A taken port is the most common start-up failure on a laptop; name the variable to change.
async function listen<T>(config: Config, startServer: () => Promise<T>): Promise<T> {
  try {
    return await startServer();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new ConfigError(`PORT ${config.port} is already in use on ${config.host}; set PORT to a free port`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new ConfigError(`HOST ${config.host} is not an address of this machine`);
    if (code === 'EACCES') throw new ConfigError(`PORT ${config.port} needs privileges on ${config.host}; use a port above 1023`);
    throw error;
  }
}

// Closes in reverse order of opening; a failure to close one thing must not keep the
// others open, so each is attempted and failures are only logged.
async function closeAll(closers: Array<() => unknown>, logger: Logger): Promise<void> {
  for (const close of closers.splice(0).reverse()) {
    try {
      await close();
    } catch (error) {
      logger.error({ err: error }, 'failed to close a resource while stopping');
    }
  }
}
