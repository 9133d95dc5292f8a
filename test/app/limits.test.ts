import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/app/config.ts';
import { defaultLimits, limitVariables, parseLimits } from '../../src/app/limits.ts';

describe('resource limits (SPEC §6)', () => {
  it('has a default for every limit, and Config carries them', () => {
    expect(parseConfig({}).limits).toEqual(defaultLimits);
    expect(defaultLimits).toMatchObject({
      detectTimeoutMs: 10_000,
      maxStreamsPerConnection: 100,
      maxCallsInFlight: 1_000,
      storeTimeoutMs: 5_000,
      rateLimitPerSecond: 1_000,
      shutdownDelayMs: 5_000,
    });
  });

  it('reads each variable when it is set', () => {
    for (const [key, spec] of Object.entries(limitVariables)) {
      const limits = parseLimits({ [spec.variable]: String(spec.min + 7) });
      expect(limits[key as keyof typeof limits], spec.variable).toBe(spec.min + 7);
    }
  });

  it('refuses a value that is not a whole number at least the minimum, naming the variable', () => {
    expect(() => parseLimits({ MAX_CONNECTIONS: '0' })).toThrow(new ConfigError('MAX_CONNECTIONS must be a whole number of at least 1 (got "0")'));
    expect(() => parseLimits({ BODY_TIMEOUT_MS: '1.5' })).toThrow(/^BODY_TIMEOUT_MS must be a whole number/);
    expect(() => parseLimits({ SHUTDOWN_DELAY_MS: '-1' })).toThrow(/^SHUTDOWN_DELAY_MS/);
    expect(parseLimits({ RATE_LIMIT_PER_SECOND: '0' }).rateLimitPerSecond).toBe(0);
  });
});
