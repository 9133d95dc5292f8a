// A rapid-reset client opens a stream and resets it in the same packet. nghttp2 hands Node
// the new stream before it reads the reset, so the call would start (connect parses headers,
// the call log writes a line) for a stream already gone. Waiting one turn of the event loop
// lets the reset land first; such a stream is dropped for the price of a debug line.
import type { Http2Stream } from 'node:http2';

/**
 * Calls `serve` now for HTTP/1.1 (no stream), and for an HTTP/2 `stream` on the next turn
 * unless the stream has closed by then (`dropped`).
 */
export function serveUnlessResetFirst(stream: Http2Stream | undefined, serve: () => void, dropped: () => void): void {
  if (stream === undefined) return serve();
  setImmediate(() => (stream.closed || stream.destroyed ? dropped() : serve()));
}
