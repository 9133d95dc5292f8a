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
import { grpcTrailersOnlyHead, refuseEarly, refuseGrpcStream } from './early-refusal.ts';
import { wholeRequestArrived } from './http2-sessions.ts';
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

/** One call in flight: its response (or bare stream) and request, linked in arrival order. */
interface Held {
  readonly response: NodeResponse | ServerHttp2Stream;
  /** null for a call on a bare stream (no request object beside it). */
  readonly request: NodeRequest | null;
  older: Held | undefined;
  newer: Held | undefined;
  gone: boolean;
  /** Still in the list of calls that may be displaced (its request not yet seen whole). */
  listed: boolean;
}

const heldOfStream = Symbol('videosvc.heldCall');
type HeldStream = ServerHttp2Stream & { [heldOfStream]?: Held };

/** Creates the admission check for at most `maxCallsInFlight` calls at once. */
export function createCallAdmission(maxCallsInFlight: number): CallAdmission {
  // The calls that may still be displaced, oldest first, as a list linked through the calls
  // themselves. Not a Map: with a long-lived Map taking an entry per call, each scavenge moved
  // ~2 MB of call objects into the old generation, against ~0.5 MB with this list (issue 10,
  // --trace-gc at half of peak load), and the old generation's collections are the long pauses.
  // A call the search for a displaceable one finds whole leaves the list for good (it still
  // counts), so at the cap each call is looked at once, not once per newcomer: walking all
  // 1 000 calls for every refused newcomer doubled the CPU per call under overload.
  let oldest: Held | undefined;
  let newest: Held | undefined;
  let count = 0;
  const busy = () => serverBusyError(`the server is at its limit of ${maxCallsInFlight} calls in flight`);
  // Made once: under overload a refusal is as frequent as a call, and building the error and
  // its details each time (a ConnectError with a stack, the Status encoding) cost about what
  // serving a GetVideo does, so shedding load freed nothing (issue 10's bench at 75 % of peak).
  const busyStreamHead = grpcTrailersOnlyHead(busy());
  // One listener for every bare stream, finding the call on it (no closure per call).
  const releaseClosedStream = function (this: HeldStream): void {
    const held = this[heldOfStream];
    if (held !== undefined) release(held);
  };

  function hold(response: NodeResponse | ServerHttp2Stream, request: NodeRequest | null): Held {
    const held: Held = { response, request, older: newest, newer: undefined, gone: false, listed: true };
    if (newest === undefined) oldest = held;
    else newest.newer = held;
    newest = held;
    count += 1;
    return held;
  }

  function release(held: Held): void {
    if (held.gone) return;
    held.gone = true;
    count -= 1;
    unlist(held);
  }

  function unlist(held: Held): void {
    if (!held.listed) return;
    held.listed = false;
    if (held.older === undefined) oldest = held.newer;
    else held.older.newer = held.newer;
    if (held.newer === undefined) newest = held.older;
    else held.newer.older = held.older;
    held.older = held.newer = undefined;
  }

  function unfinished(held: Held): boolean {
    if (held.request === null) {
      const stream = held.response as ServerHttp2Stream;
      return !(stream.headersSent || wholeRequestArrived(stream));
    }
    if ((held.response as NodeResponse).headersSent) return false;
    const request = held.request;
    return 'stream' in request ? !wholeRequestArrived(request.stream) : !request.complete;
  }

  function displaceOldestUnfinished(): boolean {
    for (let held = oldest, newer: Held | undefined; held !== undefined; held = newer) {
      newer = held.newer;
      if (!unfinished(held)) {
        unlist(held);
        continue;
      }
      release(held);
      const request = held.request;
      if (request === null) (held.response as ServerHttp2Stream).close(http2.constants.NGHTTP2_REFUSED_STREAM);
      else if ('stream' in request) request.stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
      else request.socket.destroy();
      return true;
    }
    return false;
  }

  return {
    admit(request, response) {
      const path = (request.url ?? '').split('?', 1)[0] ?? '';
      if (probePaths.has(path)) return true;
      if (count >= maxCallsInFlight && !displaceOldestUnfinished()) return false;
      const held = hold(response, request);
      response.once('close', () => release(held));
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
      if (count >= maxCallsInFlight && !displaceOldestUnfinished()) return false;
      (stream as HeldStream)[heldOfStream] = hold(stream, null);
      stream.on('close', releaseClosedStream);
      return true;
    },
    refuseStream(stream, headers) {
      refuseGrpcStream(stream, busyStreamHead, headers);
    },
    get inFlight() {
      return count;
    },
  };
}
