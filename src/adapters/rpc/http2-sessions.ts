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

// Node gives no sign of who reset a stream: both sides end in the same closeStream(). A reset
// received from the client reaches the stream's close()/destroy() methods only after the
// stream is already closed, while every server-side close goes through one of them first.
function noteServerCloses(stream: Http2Stream): void {
  const close = stream.close;
  const destroy = stream.destroy;
  stream.close = function (this: Http2Stream, ...args: Parameters<Http2Stream['close']>) {
    closedByServer.add(this);
    return close.apply(this, args);
  };
  stream.destroy = function (this: Http2Stream, ...args: Parameters<Http2Stream['destroy']>) {
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

/** Applies the session bounds to a new server `session` on `socket`. */
export function guardSession(session: ServerHttp2Session, socket: Socket, options: SessionGuardOptions): SessionGuard {
  const { limits } = options;
  let openStreams = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  const resetLimitPassed = createResetCounter(limits.http2MaxResets, resetWindowMs);

  const armIdleTimer = (): void => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if (openStreams > 0 || session.closed || session.destroyed) return;
      session.close();
      releaseSocketAfter(session, socket);
    }, limits.http2IdleTimeoutMs);
    idleTimer.unref();
  };
  armIdleTimer();

  session.on('stream', (stream: Http2Stream) => {
    openStreams += 1;
    clearTimeout(idleTimer);
    noteServerCloses(stream);
    // The stream's inactivity timer restarts on every frame it reads or writes; once the
    // request has fully arrived, the call's own deadline governs it instead.
    stream.setTimeout(limits.bodyTimeoutMs, () => {
      if (!stream.readableEnded) stream.close(NGHTTP2_CANCEL);
    });
    stream.once('end', () => stream.setTimeout(0));
    stream.once('close', () => {
      openStreams -= 1;
      if (session.closed || session.destroyed) return;
      if (streamResetByClient(stream) && resetLimitPassed()) {
        options.onRapidReset?.(limits.http2MaxResets + 1);
        session.destroy(new Error('too many stream resets (rapid reset)'), NGHTTP2_ENHANCE_YOUR_CALM);
        releaseSocketAfter(session, socket);
        return;
      }
      if (openStreams === 0) armIdleTimer();
    });
  });
  // nghttp2 may end a session on its own (a flood of bad frames); the socket must follow.
  session.on('error', () => releaseSocketAfter(session, socket));
  session.once('close', () => clearTimeout(idleTimer));
  return { idle: () => openStreams === 0 };
}
