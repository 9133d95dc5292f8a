// A rapid-reset client opens a stream and resets it in the same packet. nghttp2 hands Node
// the new stream before it reads the reset, so the call would start (connect parses headers,
// the call log writes a line) for a stream already gone. Waiting one turn of the event loop
// lets the reset land first; such a stream is dropped for the price of a debug line.
import type { Http2Stream } from 'node:http2';

/** A call that arrived on an HTTP/2 stream, with whatever its server needs to serve it. */
export interface Arrival {
  readonly stream: Http2Stream;
}

/**
 * Returns the function that takes an arrival. Every arrival of one turn is served on the
 * next turn, together: one setImmediate and no closure per call, and their calls run side by
 * side, so their store reads can share one snapshot (sqlite/read-snapshot.ts). An arrival
 * whose stream has closed by then goes to `dropped` instead.
 */
export function serveNextTurnUnlessReset<T extends Arrival>(serve: (arrival: T) => void, dropped: (arrival: T) => void): (arrival: T) => void {
  let waiting: T[] = [];
  const serveWaiting = (): void => {
    const due = waiting;
    waiting = [];
    for (const arrival of due) {
      if (arrival.stream.closed || arrival.stream.destroyed) dropped(arrival);
      else serve(arrival);
    }
  };
  return (arrival) => {
    if (waiting.push(arrival) === 1) setImmediate(serveWaiting);
  };
}
