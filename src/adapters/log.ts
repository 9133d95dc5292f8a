// The service's structured logger (SPEC §6): pino JSON lines. Secrets and tokens never
// appear in logs, so anything shaped like a credential is censored here, once, whatever
// a caller happens to pass in.
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Paths censored in every line: bearer headers, tokens, secrets, at the top level or one level down. */
export const redactedPaths = [
  'authorization',
  'token',
  'secret',
  'password',
  '*.authorization',
  '*.token',
  '*.secret',
  '*.password',
  '*.headers.authorization',
  '*.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'config.jwt.secret',
];

/** A pino logger at `level`, writing JSON lines to `destination` (stdout by default). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'videosvc' },
    redact: { paths: redactedPaths, censor: '[redacted]' },
  };
  // pino's own default is asynchronous: lines logged just before a kill are lost, and at
  // exit it flushes with a loop that retries a closed pipe (EPIPE) forever, so SIGTERM
  // would hang once the log reader is gone. Synchronous writes avoid both; pino drops
  // further lines after an EPIPE.
  return pino(options, destination ?? pino.destination({ dest: 1, sync: true }));
}
