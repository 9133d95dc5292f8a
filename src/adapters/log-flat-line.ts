// The call log's line without pino's per-line machinery (issue 10). A call's line holds only
// flat fields (strings and numbers under fixed keys); pino still walks it as any object (its
// serializers, stringifiers and redaction lookups per key, its escaping loop per string):
// 3.8 % of the service's CPU samples at peak GetVideo load, one line per call. This writes the
// same JSON — level, time, the logger's bindings, the fields in order, msg — straight to the
// logger's destination, for the loggers createLogger makes, whose options it knows (no mixin,
// formatters, hooks, serializers or message prefix that would change the line); any other
// logger is left to pino. Nothing is redacted here: redaction matches keys, and a flat line's
// keys are the call log's own (log.ts's flatRedactedPaths holds none of them; the tests say so).
import { pino, type Logger } from 'pino';

/** One flat line's fields, keyed by plain identifiers (written unescaped): in order, an undefined one left out. */
export type FlatFields = Readonly<Record<string, string | number | undefined>>;

/** Writes `fields` and `msg` as one line at `level`, if the logger's level lets it through. */
export type FlatLineWriter = (level: 'info' | 'warn', fields: FlatFields, msg: string) => void;

interface PinoInternals {
  readonly [pino.symbols.chindingsSym]: string;
  readonly [pino.symbols.streamSym]: { write(line: string): unknown };
}

const knownLoggers = new WeakSet<Logger>();

/** Marks `logger` as made with only the options createLogger gives (level, base, redact). */
export function noteKnownLogger(logger: Logger): void {
  knownLoggers.add(logger);
}

/** The flat-line writer of `logger`, or undefined when the line must go through pino. */
export function flatLineWriter(logger: Logger): FlatLineWriter | undefined {
  if (!knownLoggers.has(logger)) return undefined;
  const internals = logger as unknown as PinoInternals;
  const levels = { info: logger.levels.values.info!, warn: logger.levels.values.warn! };
  return (level, fields, msg) => {
    const number = levels[level];
    if (number < logger.levelVal) return;
    // The bindings are read per line: a child or setBindings() may add to them later.
    let line = `{"level":${number},"time":${Date.now()}${internals[pino.symbols.chindingsSym]}`;
    for (const key in fields) {
      const value = fields[key];
      if (value === undefined) continue;
      line += `,"${key}":${typeof value === 'number' ? (Number.isFinite(value) ? value : 'null') : JSON.stringify(value)}`;
    }
    internals[pino.symbols.streamSym].write(`${line},"msg":${JSON.stringify(msg)}}\n`);
  };
}
