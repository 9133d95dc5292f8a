// The resource limits of SPEC §6, parsed from the environment like the rest of Config:
// every resource a client can hold is bounded, each bound has a variable and a default,
// and the README lists them. Times are milliseconds; a count of 0 means "off" only where
// the table below says so.
import { ConfigError, type Environment } from './config-error.ts';

export interface Limits {
  /** A new connection must send its first bytes (the whole HTTP/2 preface) within this. */
  readonly detectTimeoutMs: number;
  /** HTTP/1.1: the request head must be complete within this. */
  readonly headersTimeoutMs: number;
  /** HTTP/1.1: the whole request must be received within this. */
  readonly requestTimeoutMs: number;
  /** A request body that stops arriving for this long ends the call (both protocols). */
  readonly bodyTimeoutMs: number;
  /** HTTP/1.1: an idle keep-alive connection is closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** HTTP/2: a session with no open stream for this long is closed (GOAWAY). */
  readonly http2IdleTimeoutMs: number;
  /** Open connections; at the cap the oldest idle one is closed to make room, else the new one is refused. */
  readonly maxConnections: number;
  /** SETTINGS_MAX_CONCURRENT_STREAMS advertised to every HTTP/2 client. */
  readonly maxStreamsPerConnection: number;
  /** Calls (any protocol) being served at once; beyond it new calls are refused with RESOURCE_EXHAUSTED. */
  readonly maxCallsInFlight: number;
  /** Unauthenticated streams (health Watch, reflection) open at once, server-wide. */
  readonly maxPublicStreams: number;
  /** How long one unauthenticated stream may stay open. */
  readonly publicStreamMaxMs: number;
  /** Client stream resets one HTTP/2 session may send within 10 s before it is closed (rapid reset). */
  readonly http2MaxResets: number;
  /** How long a store call may take when the client set no (or a longer) deadline; then UNAVAILABLE. */
  readonly storeTimeoutMs: number;
  /** Per-caller (token `sub`) token bucket: sustained calls per second; 0 turns rate limiting off. */
  readonly rateLimitPerSecond: number;
  /** Per-caller token bucket size (the burst allowed above the sustained rate). */
  readonly rateLimitBurst: number;
  /** On SIGTERM, how long /readyz and health report not-ready before the listener closes. */
  readonly shutdownDelayMs: number;
}

/** Each limit's variable and default, in one table (SPEC §5: defaults live next to their variable). */
export const limitVariables = {
  detectTimeoutMs: { variable: 'DETECT_TIMEOUT_MS', default: 10_000, min: 1 },
  headersTimeoutMs: { variable: 'HEADERS_TIMEOUT_MS', default: 10_000, min: 1 },
  requestTimeoutMs: { variable: 'REQUEST_TIMEOUT_MS', default: 60_000, min: 1 },
  bodyTimeoutMs: { variable: 'BODY_TIMEOUT_MS', default: 10_000, min: 1 },
  keepAliveTimeoutMs: { variable: 'KEEPALIVE_TIMEOUT_MS', default: 5_000, min: 1 },
  http2IdleTimeoutMs: { variable: 'HTTP2_IDLE_TIMEOUT_MS', default: 120_000, min: 1 },
  maxConnections: { variable: 'MAX_CONNECTIONS', default: 1_000, min: 1 },
  maxStreamsPerConnection: { variable: 'MAX_STREAMS_PER_CONNECTION', default: 100, min: 1 },
  maxCallsInFlight: { variable: 'MAX_CALLS_IN_FLIGHT', default: 1_000, min: 1 },
  maxPublicStreams: { variable: 'MAX_PUBLIC_STREAMS', default: 100, min: 1 },
  publicStreamMaxMs: { variable: 'PUBLIC_STREAM_MAX_MS', default: 300_000, min: 1 },
  http2MaxResets: { variable: 'HTTP2_MAX_RESETS', default: 200, min: 1 },
  storeTimeoutMs: { variable: 'STORE_TIMEOUT_MS', default: 5_000, min: 1 },
  rateLimitPerSecond: { variable: 'RATE_LIMIT_PER_SECOND', default: 1_000, min: 0 },
  rateLimitBurst: { variable: 'RATE_LIMIT_BURST', default: 2_000, min: 1 },
  shutdownDelayMs: { variable: 'SHUTDOWN_DELAY_MS', default: 5_000, min: 0 },
} as const satisfies Record<keyof Limits, { variable: string; default: number; min: number }>;

/** The limits in force: each variable when set (a whole number ≥ its minimum), else its default. */
export function parseLimits(env: Environment): Limits {
  const limits = {} as Record<keyof Limits, number>;
  for (const [key, spec] of Object.entries(limitVariables) as Array<[keyof Limits, (typeof limitVariables)[keyof Limits]]>) {
    const raw = env[spec.variable]?.trim();
    if (raw === undefined || raw === '') {
      limits[key] = spec.default;
      continue;
    }
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < spec.min) {
      throw new ConfigError(`${spec.variable} must be a whole number of at least ${spec.min} (got "${raw}")`);
    }
    limits[key] = value;
  }
  return limits;
}

/** The defaults, for tests and embedders that build a server without parsing an environment. */
export const defaultLimits: Limits = parseLimits({});
