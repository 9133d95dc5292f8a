// A rapid-reset client opens a stream and resets it in the same packet. nghttp2 hands Node
// the new stream before it reads the reset, so the call would start (connect parses headers,
// the call log writes a line) for a stream already gone. Waiting one turn of the event loop
// lets the reset land first; such a stream is dropped for the price of a debug line.
import type { Http2Stream, IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';

/**
 * Calls `serve` now for HTTP/1.1 (no stream), and for an HTTP/2 `stream` on the next turn
 * unless the stream has closed by then (`dropped`).
 */
export function serveUnlessResetFirst(stream: Http2Stream | undefined, serve: () => void, dropped: () => void): void {
  if (stream === undefined) return serve();
  setImmediate(() => (stream.closed || stream.destroyed ? dropped() : serve()));
}

/** Serves one stream taken on arrival; `receivedNs` is process.hrtime.bigint() when it arrived. */
export type StreamServer = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, receivedNs: bigint) => void;

/**
 * The same wait for the bare streams of the lean gRPC path, for all the streams that arrive
 * in one turn together: one setImmediate and no closure per stream, and their calls run
 * side by side, so their store reads can share one snapshot (sqlite/read-snapshot.ts).
 * Returns the function that takes a stream on arrival.
 */
export function serveStreamsUnlessResetFirst(serve: StreamServer, dropped: (headers: IncomingHttpHeaders) => void): StreamServer {
  let waiting: Array<{ stream: ServerHttp2Stream; headers: IncomingHttpHeaders; receivedNs: bigint }> = [];
  const serveWaiting = (): void => {
    const due = waiting;
    waiting = [];
    for (const { stream, headers, receivedNs } of due) {
      if (stream.closed || stream.destroyed) dropped(headers);
      else serve(stream, headers, receivedNs);
    }
  };
  return (stream, headers, receivedNs) => {
    if (waiting.push({ stream, headers, receivedNs }) === 1) setImmediate(serveWaiting);
  };
}
