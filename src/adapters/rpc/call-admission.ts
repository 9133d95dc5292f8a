// The cap on calls in flight, counted from the request's arrival to its response's close and
// checked before connect parses anything, so excess work is refused at once instead of
// queueing memory. At the cap the oldest call whose request has still not fully arrived (a
// stalled or trickled upload, the cheap way to hold a slot) is refused to make room, as the
// connection cap closes the oldest idle connection: a client sending unfinished streams then
// only displaces its own kind, never a call already being worked on. Only when no such call
// exists is the newcomer refused, with RESOURCE_EXHAUSTED in its protocol. The displaced
// call is cut as if its client had gone (connect owns its response by then): its HTTP/2
// stream is refused (REFUSED_STREAM: not processed, safe to retry), its HTTP/1.1 connection
// closed. The load balancer probes are never refused, so overload does not read as death.
import http2, { type ServerHttp2Stream } from 'node:http2';
import { serverBusyError } from './errors.ts';
import { refuseEarly, refuseGrpcStream } from './early-refusal.ts';
import type { NodeRequest, NodeResponse } from './listener.ts';

const probePaths = new Set(['/healthz', '/readyz']);

export interface CallAdmission {
  /** Counts the call in (displacing an unfinished one at the cap), or returns false: then refuse() it. */
  admit(request: NodeRequest, response: NodeResponse): boolean;
  /** Answers a call admit() turned away with RESOURCE_EXHAUSTED, in its protocol. */
  refuse(request: NodeRequest, response: NodeResponse): void;
  /** The same for a gRPC call served on its bare HTTP/2 stream (the lean path). */
  admitStream(stream: ServerHttp2Stream): boolean;
  /** Answers a stream admitStream() turned away: RESOURCE_EXHAUSTED as trailers-only, with `headers` added. */
  refuseStream(stream: ServerHttp2Stream, headers?: Readonly<Record<string, string>>): void;
  /** Calls in flight right now. */
  readonly inFlight: number;
}

/** Creates the admission check for at most `maxCallsInFlight` calls at once. */
export function createCallAdmission(maxCallsInFlight: number): CallAdmission {
  // Insertion order is arrival order, so the first match below is the oldest. A call on a
  // bare stream is held by its stream, with no request beside it.
  const inFlight = new Map<NodeResponse | ServerHttp2Stream, NodeRequest | null>();
  const busy = () => serverBusyError(`the server is at its limit of ${maxCallsInFlight} calls in flight`);

  function displaceOldestUnfinished(): boolean {
    for (const [held, request] of inFlight) {
      if (request === null) {
        const stream = held as ServerHttp2Stream;
        if (stream.endAfterHeaders || stream.readableEnded || stream.headersSent) continue;
        inFlight.delete(stream);
        stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
        return true;
      }
      if (request.complete || (held as NodeResponse).headersSent) continue;
      inFlight.delete(held);
      if ('stream' in request) request.stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
      else request.socket.destroy();
      return true;
    }
    return false;
  }

  return {
    admit(request, response) {
      const path = (request.url ?? '').split('?', 1)[0] ?? '';
      if (probePaths.has(path)) return true;
      if (inFlight.size >= maxCallsInFlight && !displaceOldestUnfinished()) return false;
      inFlight.set(response, request);
      response.once('close', () => inFlight.delete(response));
      return true;
    },
    refuse(request, response) {
      // HTTP/1.1 answers only once the (discarded) body is in: closing a socket with request
      // bytes still unread makes the kernel send RST, and the client loses the answer.
      if ('stream' in request || request.complete) return refuseEarly(request, response, busy());
      request.resume();
      request.once('end', () => refuseEarly(request, response, busy()));
    },
    admitStream(stream) {
      if (inFlight.size >= maxCallsInFlight && !displaceOldestUnfinished()) return false;
      inFlight.set(stream, null);
      stream.once('close', () => inFlight.delete(stream));
      return true;
    },
    refuseStream(stream, headers) {
      refuseGrpcStream(stream, busy(), headers);
    },
    get inFlight() {
      return inFlight.size;
    },
  };
}
