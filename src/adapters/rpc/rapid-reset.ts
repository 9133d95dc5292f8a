// HTTP/2 rapid reset (CVE-2023-44487): a client opens a stream and resets it at once, over and
// over, so the server does the work of starting each call and the stream limit never bites.
// The defence is to count the client's resets per session over a sliding window and to close
// a session that sends more than a legitimate client would.

/** The window over which a session's client resets are counted. */
export const resetWindowMs = 10_000;

/**
 * A sliding-window counter: call it at each reset; it answers true once more than `max`
 * resets fell within `windowMs`. Keeps the last `max` times only, so memory stays fixed.
 */
export function createResetCounter(max: number, windowMs = resetWindowMs, now: () => number = Date.now): () => boolean {
  const times = new Float64Array(max);
  let next = 0;
  let filled = 0;
  return () => {
    const time = now();
    if (filled === max && time - (times[next] ?? 0) < windowMs) return true;
    if (filled < max) filled += 1;
    times[next] = time;
    next = (next + 1) % max;
    return false;
  };
}
