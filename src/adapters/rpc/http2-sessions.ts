// The bounds of one HTTP/2 session on the shared port: an idle session (no open stream) is
// closed, a request body that stops arriving ends its stream, a client that resets streams
// faster than any legitimate one is cut off (rapid reset), and a session this server closes
// always lets go of its socket, even when the peer stops reading.
import http2, { type Http2Stream, type ServerHttp2Session } from 'node:http2';
import type { Socket } from 'node:net';
import type { Limits } from '../../app/limits.ts';
import { createResetCounter, resetWindowMs } from './rapid-reset.ts';

type SessionLimits = Pick<Limits, 'http2IdleTimeoutMs' | 'bodyTimeoutMs' | 'http2MaxResets'>;

const { NGHTTP2_NO_ERROR, NGHTTP2_CANCEL, NGHTTP2_ENHANCE_YOUR_CALM } = http2.constants;

/** How long a closed session's socket may linger (its GOAWAY going out) before it is destroyed. */
const socketLingerMs = 1_000;

/** Streams this server closed or destroyed itself, so their reset code is not the client's doing. */
const closedByServer = new WeakSet<Http2Stream>();

/**
 * Whether the client reset `stream`, as opposed to this server: an RST_STREAM with an error
 * code, or with NO_ERROR before the answer was complete (Node then marks the stream aborted),
 * so a rapid reset cannot hide behind NO_ERROR.
 */
export function streamResetByClient(stream: Http2Stream): boolean {
  const code = stream.rstCode;
  if (code === undefined || closedByServer.has(stream)) return false;
  return code !== NGHTTP2_NO_ERROR || stream.aborted;
}

/**
 * Whether the client has sent all of the request (END_STREAM), whether or not it has been read
 * yet. Not `readableEnded` alone (nor the compat request's `complete`, built on it): that waits
 * for the body to be consumed, and the lean path reads a turn after admission, so under overload
 * (issue 10's bench at 75 % of peak) calls whose request sat whole in Node's buffer read as
 * stalled uploads, and the in-flight cap displaced them: REFUSED_STREAM for admitted calls.
 */
export function wholeRequestArrived(stream: Http2Stream): boolean {
  return stream.endAfterHeaders || stream.readableEnded || stream.state.remoteClose === 1;
}

// Node gives no sign of who reset a stream: both sides end in the same closeStream(). A reset
// received from the client reaches the stream's close()/destroy() methods only after the
// stream is already closed, while every server-side close goes through one of them first.
// So the server stream's prototype gets both methods wrapped, once, when the first stream is
// seen (the class is not exported): wrapping them on every stream cost two closures and two
// own properties per call (issue 10).
const serverClosesNoted = new WeakSet<object>();

function noteServerCloses(stream: Http2Stream): void {
  const prototype = Object.getPrototypeOf(stream) as Http2Stream;
  if (serverClosesNoted.has(prototype)) return;
  serverClosesNoted.add(prototype);
  const close = prototype.close;
  const destroy = prototype.destroy;
  prototype.close = function (this: Http2Stream, ...args: Parameters<Http2Stream['close']>) {
    closedByServer.add(this);
    return close.apply(this, args);
  };
  prototype.destroy = function (this: Http2Stream, ...args: Parameters<Http2Stream['destroy']>) {
    if (!this.closed) closedByServer.add(this);
    return destroy.apply(this, args);
  } as Http2Stream['destroy'];
}

/**
 * Makes sure `socket` is destroyed once `session` has ended. Node ends a closed session's
 * socket only after its writes drain (a peer that stops reading never lets them) and, after a
 * graceful close, waits for the peer to close its side too.
 */
export function releaseSocketAfter(session: ServerHttp2Session, socket: Socket): void {
  const check = (): void => {
    if (socket.destroyed) return;
    if (session.destroyed) return void socket.destroy();
    setTimeout(check, socketLingerMs).unref();
  };
  setTimeout(check, socketLingerMs).unref();
}

export interface SessionGuard {
  /** Whether the session has no open stream (so the connection cap may close it first). */
  idle(): boolean;
}

export interface SessionGuardOptions {
  readonly limits: SessionLimits;
  /** Called once when the session is closed for sending too many resets. */
  onRapidReset?(resets: number): void;
}

/** What a session's streams report back to it: their listeners are shared functions that find it here. */
interface GuardedSession {
  openStreams: number;
  readonly bodyTimeoutMs: number;
  /** Called once each stream has closed. */
  readonly streamClosed: (stream: Http2Stream) => void;
}

const guardOfStream = Symbol('videosvc.sessionGuard');
type GuardedStream = Http2Stream & { [guardOfStream]?: GuardedSession };

// Shared by every stream (no closure per stream): `this` is the stream.
function cancelStalledBody(this: Http2Stream): void {
  if (!this.readableEnded) this.close(NGHTTP2_CANCEL);
}

function stopBodyTimer(this: Http2Stream): void {
  this.setTimeout(0);
}

// A request whose body has not fully arrived gets an inactivity timer (restarted by every
// frame the stream reads or writes; once the request is whole, the call's own deadline governs
// it instead). It is armed a turn after the stream opens, for the streams still waiting on
// their body then: the 'stream' event comes before nghttp2 has read the DATA frames that came
// with the headers, and by the next turn a unary request sent in one piece has always arrived
// whole (every one of 22 000 in a probe of h2load loads), so it gets no timer at all. Arming
// one per stream (a bound callback, a timer-list entry refreshed on every frame, two listeners)
// was ~1 % of a GetVideo's CPU samples at peak load (issue 10).
let bodiesToWatch: GuardedStream[] = [];

function watchBodyFromNextTurn(stream: GuardedStream): void {
  if (bodiesToWatch.push(stream) === 1) setImmediate(armBodyTimers);
}

function armBodyTimers(): void {
  const due = bodiesToWatch;
  bodiesToWatch = [];
  for (const stream of due) {
    const guard = stream[guardOfStream];
    if (guard === undefined || stream.destroyed || wholeRequestArrived(stream)) continue;
    // ('on' rather than 'once' where the event comes once anyway: no wrapper per stream.)
    stream.on('timeout', cancelStalledBody);
    stream.setTimeout(guard.bodyTimeoutMs);
    stream.on('end', stopBodyTimer);
  }
}

function reportClose(this: GuardedStream): void {
  const guard = this[guardOfStream];
  if (guard === undefined) return;
  this[guardOfStream] = undefined;
  guard.streamClosed(this);
}

/** Applies the session bounds to a new server `session` on `socket`. */
export function guardSession(session: ServerHttp2Session, socket: Socket, options: SessionGuardOptions): SessionGuard {
  const { limits } = options;
  let idleTimer: NodeJS.Timeout | undefined;
  const resetLimitPassed = createResetCounter(limits.http2MaxResets, resetWindowMs);

  const armIdleTimer = (): void => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if (guard.openStreams > 0 || session.closed || session.destroyed) return;
      session.close();
      releaseSocketAfter(session, socket);
    }, limits.http2IdleTimeoutMs);
    idleTimer.unref();
  };

  const guard: GuardedSession = {
    openStreams: 0,
    bodyTimeoutMs: limits.bodyTimeoutMs,
    streamClosed(stream) {
      guard.openStreams -= 1;
      if (session.closed || session.destroyed) return;
      if (streamResetByClient(stream) && resetLimitPassed()) {
        options.onRapidReset?.(limits.http2MaxResets + 1);
        session.destroy(new Error('too many stream resets (rapid reset)'), NGHTTP2_ENHANCE_YOUR_CALM);
        releaseSocketAfter(session, socket);
        return;
      }
      if (guard.openStreams === 0) armIdleTimer();
    },
  };
  armIdleTimer();

  session.on('stream', (stream: GuardedStream) => {
    guard.openStreams += 1;
    clearTimeout(idleTimer);
    noteServerCloses(stream);
    stream[guardOfStream] = guard;
    stream.on('close', reportClose);
    watchBodyFromNextTurn(stream);
  });
  // nghttp2 may end a session on its own (a flood of bad frames); the socket must follow.
  session.on('error', () => releaseSocketAfter(session, socket));
  session.once('close', () => clearTimeout(idleTimer));
  return { idle: () => guard.openStreams === 0 };
}
