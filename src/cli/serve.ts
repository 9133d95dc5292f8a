// `videosvc serve`: the service, with SPEC §6's shutdown: SIGTERM first turns readiness off
// for the pre-stop delay while still serving (SIGINT, an interactive Ctrl-C, skips it), then
// stops accepting, drains in-flight calls (bounded), closes the store, exit 0; a second
// signal forces exit 1.
import { parseArgs } from 'node:util';
import { defaults, parseConfig, readEnvironment } from '../app/config.ts';
import { limitVariables } from '../app/limits.ts';
import type { Logger } from '../adapters/log.ts';
import type { RunningService } from '../main/start.ts';
import { parseCommandLine, printOut, type Command } from './command.ts';
import { boundHeapGrowth } from './heap-growth.ts';

/** How long in-flight calls may finish after a signal before they are cut off. */
export const shutdownGraceMs = 10_000;
// If draining and closing still hang this long after the pre-stop delay and the grace period, give up.
export const shutdownSlackMs = 5_000;

// Every limit's variable and default, straight from the one table in limits.ts.
function limitLines(): string {
  return Object.values(limitVariables)
    .filter((spec) => spec.variable !== 'SHUTDOWN_DELAY_MS')
    .map((spec) => `  ${spec.variable.padEnd(27)}${spec.default}`)
    .join('\n');
}

const usage = `usage: videosvc serve

Runs the video-metadata service: gRPC, gRPC-Web and Connect on one port, plus
GET /healthz and /readyz. Logs JSON lines (pino) to stdout; the first line after start
is {"msg":"listening","url":...}, at info, or at warn when LOG_LEVEL=warn; at error,
fatal or silent the URL goes to stderr instead ("videosvc: listening on <url>"). SIGTERM first answers /readyz with 503 and health
NOT_SERVING for SHUTDOWN_DELAY_MS (default ${limitVariables.shutdownDelayMs.default}) while still serving calls, so load
balancers stop sending; then it (and SIGINT, at once) drains in-flight calls (up to
${shutdownGraceMs / 1000} s), closes the store and exits 0; a second signal exits 1 at once.

Configuration (environment variables, or a .env file in the working directory):
  PORT, HOST                 listen address (default ${defaults.PORT}, ${defaults.HOST})
  VIDEO_STORE                sqlite or dynamodb (default ${defaults.VIDEO_STORE}; the older USE_DYNAMO: true or 1 means dynamodb, false or 0 sqlite)
  SQLITE_PATH                database file, or :memory: (default ${defaults.SQLITE_PATH})
  SQLITE_SYNCHRONOUS         FULL (survives power loss) or NORMAL (survives a crash) (default ${defaults.SQLITE_SYNCHRONOUS})
  DYNAMO_TABLE               DynamoDB table (default: from SSM, else ${defaults.DYNAMO_TABLE})
  DYNAMO_OWNER_INDEX         owner/time index (default: from SSM, else ${defaults.DYNAMO_OWNER_INDEX})
  SSM_PARAMETER_PREFIX       read dynamoTable and dynamoOwnerIndex from SSM under this path
  JWT_SECRET                 token secret given directly (at least 32 bytes)
  JWT_SECRET_ID              Secrets Manager secret holding the token secret
  JWT_ISSUER, JWT_AUDIENCE   enforced on tokens when set
  TLS_CERT_FILE, TLS_KEY_FILE  serve TLS when both are set
  SHUTDOWN_DELAY_MS          pre-stop delay on SIGTERM in ms; 0 turns it off (default ${limitVariables.shutdownDelayMs.default})
  LOG_LEVEL                  fatal, error, warn, info, debug, trace or silent (default ${defaults.LOG_LEVEL})
  NODE_ENV                   production refuses to start without a configured token secret
  AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SSM, AWS_ENDPOINT_URL_SECRETS_MANAGER

Limits (whole numbers; times in ms), each with its default (the README says why):
${limitLines()}

V8's old generation grows by a fixed 50 % between full collections (shorter pauses, flat
memory under load; the listening line says so); to change it, give node the flag yourself:
node --heap-growing-percent=N bin/videosvc.mjs serve (0: V8's own adaptive growth).

With neither JWT_SECRET nor JWT_SECRET_ID (and NODE_ENV not production), a development
secret is created next to the database and reused; \`videosvc token\` signs with it.
`;

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the service (what `npm start` runs)',
  usage,
  async run(args) {
    const { values } = parseCommandLine('serve', () =>
      parseArgs({ args: [...args], options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: false }),
    );
    if (values.help) {
      await printOut(usage);
      return 0;
    }
    const config = parseConfig(readEnvironment());
    const heapGrowth = boundHeapGrowth();
    // Loaded after the command line is known good, so `--help` stays instant.
    const [{ createLogger }, { start }] = await Promise.all([import('../adapters/log.ts'), import('../main/start.ts')]);
    const logger = createLogger(config.logLevel);
    const shutdown = shutdownOnSignals(logger, config.limits.shutdownDelayMs);
    const service = await start(config, { logger, runtime: { heapGrowth } });
    shutdown.attach(service);
    // Below warn (error, fatal, silent) the log holds no `listening` line; the address
    // still has to be known somewhere, so it goes to stderr as one plain line.
    if (!logger.isLevelEnabled('warn')) process.stderr.write(`videosvc: listening on ${service.url}\n`);
    return 'running';
  },
};

/**
 * Installs the SIGTERM/SIGINT handlers before start-up begins, so a signal that arrives
 * while the store is still opening stops the service as soon as it is up.
 */
function shutdownOnSignals(logger: Logger, shutdownDelayMs: number): { attach(service: RunningService): void } {
  let service: RunningService | undefined;
  let signalled: NodeJS.Signals | undefined;
  // SIGTERM comes from an orchestrator that also tells the load balancer; Ctrl-C is a
  // person at a terminal, who has no load balancer to wait for.
  const delayFor = (signal: NodeJS.Signals): number => (signal === 'SIGTERM' ? shutdownDelayMs : 0);

  const stop = (running: RunningService, signal: NodeJS.Signals, preStopDelayMs: number) => {
    logger.info(
      { signal, preStopDelayMs, graceMs: shutdownGraceMs },
      preStopDelayMs > 0 ? 'stopping: not ready for the pre-stop delay, then draining in-flight calls' : 'stopping: draining in-flight calls',
    );
    running.stop({ graceMs: shutdownGraceMs, preStopDelayMs }).then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled !== undefined) {
      logger.warn({ signal }, 'second signal: exiting without waiting for in-flight calls');
      process.exit(1);
    }
    signalled = signal;
    // Armed at the first signal, not once the service is up: a start-up stuck on an
    // unreachable store must not keep a stopping process alive either.
    const hardLimitMs = delayFor(signal) + shutdownGraceMs + shutdownSlackMs;
    setTimeout(() => {
      logger.error({ limitMs: hardLimitMs }, 'shutdown did not finish in time; exiting');
      process.exit(1);
    }, hardLimitMs).unref();
    if (service !== undefined) stop(service, signal, delayFor(signal));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  return {
    attach(running) {
      service = running;
      // Signalled while starting: never ready, so no load balancer has anything to drain.
      if (signalled !== undefined) stop(running, signalled, 0);
    },
  };
}
