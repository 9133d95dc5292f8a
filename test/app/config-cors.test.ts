import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/app/config.ts';

function refusal(value: string): string {
  try {
    parseConfig({ CORS_ORIGINS: value });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`expected CORS_ORIGINS=${value} to be refused`);
}

describe('CORS_ORIGINS', () => {
  it('is empty by default, which turns CORS off', () => {
    expect(parseConfig({}).corsOrigins).toEqual([]);
    expect(parseConfig({ CORS_ORIGINS: ' ' }).corsOrigins).toEqual([]);
  });

  it('holds each origin as a browser sends it in Origin: lowercase host, no default port, no trailing slash, no duplicates', () => {
    const config = parseConfig({ CORS_ORIGINS: ' https://App.Example.com , http://127.0.0.1:5173,https://app.example.com:443/,' });
    expect(config.corsOrigins).toEqual(['https://app.example.com', 'http://127.0.0.1:5173']);
    expect(Object.isFrozen(config.corsOrigins)).toBe(true);
  });

  it.each([
    ['*', 'is a wildcard'],
    ['https://*.example.com', 'is a wildcard'],
    ['app.example.com', 'is not an origin'],
    ['null', 'is not an origin'],
    ['ftp://files.example.com', 'must start with http:// or https://'],
    ['https://app.example.com/ui', 'has more than scheme, host and port'],
    ['https://user@app.example.com', 'has more than scheme, host and port'],
    ['https://app.example.com?x=1', 'has more than scheme, host and port'],
  ])('refuses %s, naming the variable', (value, why) => {
    const message = refusal(`https://ok.example, ${value}`);
    expect(message).toContain('CORS_ORIGINS');
    expect(message).toContain(`"${value}" ${why}`);
  });
});
