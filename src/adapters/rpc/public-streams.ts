// Streams anyone may open without a token (health Watch, reflection) are bounded server-wide
// in number and each in lifetime, so they cannot be piled up to hold memory. A stream that
// reaches its lifetime ends normally (OK): a health watcher simply watches again.
import { serverBusyError } from './errors.ts';

export interface PublicStreams {
  /**
   * Runs `body` as one public stream: refused with RESOURCE_EXHAUSTED when maxStreams are
   * open; `lifetime` is aborted when the stream has been open for maxMs.
   */
  run<T>(body: (lifetime: AbortSignal) => AsyncIterable<T>): AsyncIterable<T>;
  /** Public streams open right now. */
  readonly open: number;
}

/** Creates the server-wide bound for public streams. */
export function createPublicStreams(options: { readonly maxStreams: number; readonly maxMs: number }): PublicStreams {
  let open = 0;
  return {
    async *run(body) {
      if (open >= options.maxStreams) throw serverBusyError(`the server is at its limit of ${options.maxStreams} open public streams`);
      open += 1;
      const lifetime = new AbortController();
      const timer = setTimeout(() => lifetime.abort(), options.maxMs);
      try {
        yield* body(lifetime.signal);
      } finally {
        clearTimeout(timer);
        open -= 1;
      }
    },
    get open() {
      return open;
    },
  };
}

/** The items of `source` until `signal` aborts; then it ends (and stops waiting on `source`). */
export async function* until<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncIterable<T> {
  const iterator = source[Symbol.asyncIterator]();
  const aborted = new Promise<'aborted'>((resolve) => {
    if (signal.aborted) resolve('aborted');
    signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next === 'aborted' || next.done) return;
      yield next.value;
    }
  } finally {
    // Not awaited: a pending next() on the request stream may never settle.
    void iterator.return?.()?.catch?.(() => undefined);
  }
}
