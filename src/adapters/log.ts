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
  // pino's default destination writes stdout synchronously, so a line logged just
  // before exit (or before a kill) is not lost.
  return destination === undefined ? pino(options) : pino(options, destination);
}
