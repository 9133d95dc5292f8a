// SPEC §6: secrets and tokens never appear in logs, whatever a caller passes to the logger.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/log.ts';

function capture(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, lines: () => chunks.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('censors bearer headers, tokens and secrets at the top level and one level down', () => {
    const { stream, lines } = capture();
    const logger = createLogger('info', stream);
    logger.info(
      {
        authorization: 'Bearer top-level-token',
        token: 'a-token',
        request: { headers: { authorization: 'Bearer nested-token', cookie: 'session=1' }, secret: 'nested-secret' },
        config: { jwt: { secret: 'jwt-secret-value' } },
        procedure: '/video.v1.VideoService/GetVideo',
      },
      'call',
    );
    const [line] = lines();
    const text = JSON.stringify(line);
    for (const secret of ['top-level-token', 'a-token', 'nested-token', 'session=1', 'nested-secret', 'jwt-secret-value']) {
      expect(text).not.toContain(secret);
    }
    expect(line).toMatchObject({ msg: 'call', procedure: '/video.v1.VideoService/GetVideo', authorization: '[redacted]', service: 'videosvc' });
  });

  it('honours the level', () => {
    const { stream, lines } = capture();
    const logger = createLogger('warn', stream);
    logger.info('hidden');
    logger.warn('shown');
    expect(lines().map((line) => line.msg)).toEqual(['shown']);
  });
});
