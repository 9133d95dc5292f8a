// The call log's flat lines, written without pino's per-line work, read exactly as pino's own
// lines for the same fields, honour the logger's level, and are only written for the loggers
// createLogger makes.
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { flatLineWriter } from '../../src/adapters/log-flat-line.ts';
import { createLogger, flatRedactedPaths, redactedPaths, redactionCensor } from '../../src/adapters/log.ts';

function capture(): { stream: Writable; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter((line) => line !== '') };
}

// The keys of the call log's line (rpc/logging.ts, SPEC §6).
const callLineKeys = ['procedure', 'code', 'durationMs', 'caller', 'requestId', 'traceId', 'httpStatus', 'message'] as const;

const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary', maxLength: 120 }), fc.constantFrom('a "quoted" \\ value', 'line\nbreak\t\u0001', 'x'.repeat(150)));
const number = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0));
const fields = fc.record(
  Object.fromEntries(callLineKeys.map((key) => [key, fc.option(fc.oneof(text, number), { nil: undefined })])) as Record<
    (typeof callLineKeys)[number],
    fc.Arbitrary<string | number | undefined>
  >,
  { requiredKeys: [] },
);

function withoutTime(line: string): { time: number; rest: Record<string, unknown> } {
  const { time, ...rest } = JSON.parse(line) as Record<string, unknown>;
  return { time: time as number, rest };
}

describe('flat lines written without pino', () => {
  it('read as pino\'s own line for the same fields and message, at info and warn', () => {
    fc.assert(
      fc.property(fields, text, fc.constantFrom('info' as const, 'warn' as const), (line, msg, level) => {
        const ours = capture();
        flatLineWriter(createLogger('info', ours.stream))!(level, line, msg);
        const theirs = capture();
        createLogger('info', theirs.stream).child({}, { redact: { paths: flatRedactedPaths, censor: redactionCensor } })[level](line, msg);
        const [ourLine] = ours.lines();
        const [theirLine] = theirs.lines();
        const a = withoutTime(ourLine!);
        const b = withoutTime(theirLine!);
        expect(a.rest).toStrictEqual(b.rest);
        expect(Math.abs(a.time - b.time)).toBeLessThan(1_000);
        // The same keys in the same order, as pino writes them.
        expect(Object.keys(JSON.parse(ourLine!) as object)).toStrictEqual(Object.keys(JSON.parse(theirLine!) as object));
      }),
      { numRuns: 500 },
    );
  });

  it('writes the line pino would, byte for byte, for plain values', () => {
    const ours = capture();
    const logger = createLogger('info', ours.stream);
    flatLineWriter(logger)!('info', { procedure: '/video.v1.VideoService/GetVideo', code: 'ok', durationMs: 0.123, caller: 'owner-1', requestId: 'r-1', traceId: undefined }, 'rpc call');
    const [line] = ours.lines();
    expect(line).toMatch(/^\{"level":30,"time":\d+,"service":"videosvc","procedure":"\/video.v1.VideoService\/GetVideo","code":"ok","durationMs":0.123,"caller":"owner-1","requestId":"r-1","msg":"rpc call"\}$/);
  });

  it('honours the logger\'s level, also when it changes', () => {
    const { stream, lines } = capture();
    const logger = createLogger('warn', stream);
    const write = flatLineWriter(logger)!;
    write('info', { code: 'ok' }, 'dropped');
    write('warn', { code: 'not_found' }, 'kept');
    logger.level = 'info';
    write('info', { code: 'ok' }, 'kept too');
    logger.level = 'error';
    write('warn', { code: 'internal' }, 'dropped too');
    expect(lines().map((line) => (JSON.parse(line) as { msg: string; level: number }).msg)).toStrictEqual(['kept', 'kept too']);
    expect(lines().map((line) => (JSON.parse(line) as { level: number }).level)).toStrictEqual([40, 30]);
  });

  it('is only made for createLogger\'s loggers: any other is left to pino', () => {
    const { stream } = capture();
    expect(flatLineWriter(pino({ level: 'info' }, stream))).toBeUndefined();
    expect(flatLineWriter(createLogger('info', stream).child({ component: 'x' }))).toBeUndefined();
    expect(flatLineWriter(createLogger('info', stream))).toBeTypeOf('function');
  });

  it('leaves nothing unredacted: no key of the call log\'s line is a redacted path', () => {
    for (const key of callLineKeys) {
      expect(redactedPaths).not.toContain(key);
      expect(flatRedactedPaths).not.toContain(key);
    }
  });
});
