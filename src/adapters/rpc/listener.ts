// One port for HTTP/2 and HTTP/1.1 (SPEC §6). Node 20's cleartext http2 server cannot
// fall back to HTTP/1.1 (allowHTTP1 works only with TLS ALPN), so every connection is
// accepted here and handed to an HTTP/2 or an HTTP/1.1 server by its first bytes: the
// HTTP/2 client preface, or anything else. The same works under TLS, whatever ALPN said.
// Every connection is counted against the connection cap and timed at every stage, and
// tracked, so close() can drain calls instead of cutting them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import http2, {
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2Session,
  type IncomingHttpHeaders,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2';
import net, { type AddressInfo, type Socket } from 'node:net';
import tls from 'node:tls';
import type { Limits } from '../../app/limits.ts';
import { createConnectionCap } from './connection-cap.ts';
import { createHttp1Server } from './http1-server.ts';
import { guardSession, releaseSocketAfter, streamResetByClient, wholeRequestArrived } from './http2-sessions.ts';
import { sniffProtocol } from './protocol-sniffing.ts';

export type NodeRequest = IncomingMessage | Http2ServerRequest;
export type NodeResponse = ServerResponse | Http2ServerResponse;
export type RequestHandler = (request: NodeRequest, response: NodeResponse) => void;
/**
 * Takes an HTTP/2 stream as it arrives, before any request/response object exists, and says
 * whether it serves it on the stream itself (the lean gRPC path); false hands it on to the
 * RequestHandler as a compat request/response pair.
 */
export type StreamHandler = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => boolean;

export interface Handlers {
  readonly stream: StreamHandler;
  readonly request: RequestHandler;
}

export interface TlsOptions {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
}

export interface ListenOptions {
  readonly tls?: TlsOptions;
  readonly limits: Limits;
  /** Told once per HTTP/2 session closed for rapid reset (for the log). */
  onRapidReset?(resets: number): void;
}

export interface Listener {
  readonly port: number;
  /**
   * Stops accepting, sends GOAWAY to HTTP/2 sessions and closes idle HTTP/1.1 sockets, lets
   * open requests finish for up to graceMs, then destroys what is left. Resolves when closed.
   */
  drain(graceMs: number): Promise<void>;
}

/** Whether the client reset `request`'s HTTP/2 stream, i.e. went away (the call was canceled). */
export function resetByClient(request: NodeRequest): boolean {
  return 'stream' in request && streamResetByClient(request.stream);
}

/** A stream's own error (a client's reset) ends only that stream; its call log line says so. */
function ignoreStreamError(): void {}

/**
 * Once a stream's answer is out (its writable side finished): if its request has not fully
 * arrived, resets it a moment later (see the 'stream' handler); if it arrived whole but unread,
 * drains it. A shared listener, `this` the stream.
 */
function resetUnreadAfterAnswer(this: ServerHttp2Stream): void {
  if (this.endAfterHeaders || this.readableEnded) return;
  // The whole request is already here, only unread: drain it and the stream closes as usual,
  // with no reset (which clients count as an error) and no timer.
  if (wholeRequestArrived(this)) {
    this.resume();
    return;
  }
  setTimeout(cancelIfOpen, 200, this).unref();
}

function cancelIfOpen(stream: ServerHttp2Stream): void {
  if (!stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
}

/** How long a session may still open streams after the first GOAWAY (see goAway). */
const goAwayNoticeMs = 1_000;

/**
 * Two-step GOAWAY, as gRPC servers do: first announce it while still accepting every stream
 * (last stream id 2^31-1), so calls already on the wire are answered (UNAVAILABLE, which is
 * retryable) instead of being refused with REFUSED_STREAM, which connect-node clients report
 * as INTERNAL; a moment later close for real, letting open streams finish.
 */
function goAway(session: Http2Session): void {
  if (session.closed || session.destroyed) return;
  session.goaway(http2.constants.NGHTTP2_NO_ERROR, 2 ** 31 - 1);
  setTimeout(() => session.close(), goAwayNoticeMs).unref();
}

/**
 * The compat request/response pair of an HTTP/2 stream, made as Node's own 'request' event
 * makes it (lib/internal/http2/compat.js, onServerStream): CONNECT is refused with 405, an
 * `expect: 100-continue` is answered with 100 first, any other expectation with 417; those
 * three return undefined. Built here rather than by Node because Node builds the pair for
 * every stream once anything listens for 'request', and the lean gRPC path needs neither.
 */
function compatPair(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, rawHeaders: string[]): [Http2ServerRequest, Http2ServerResponse] | undefined {
  const request = new http2.Http2ServerRequest(stream, headers, {}, rawHeaders);
  const response = new http2.Http2ServerResponse(stream);
  if (headers[':method'] === 'CONNECT') {
    response.statusCode = 405;
    response.end();
    return undefined;
  }
  const expect = headers.expect;
  if (expect !== undefined) {
    if (expect !== '100-continue') {
      response.statusCode = 417;
      response.end();
      return undefined;
    }
    response.writeContinue();
  }
  return [request, response];
}

/** Listens on host:port (0 = any free port) and serves both protocols with `handlers`. */
export async function listen(host: string, port: number, handlers: Handlers, options: ListenOptions): Promise<Listener> {
  const { limits } = options;
  // Refused beyond this by nghttp2 itself (RST_STREAM REFUSED_STREAM), even from a client
  // that never acknowledges the SETTINGS frame announcing it.
  const h2 = http2.createServer({ settings: { maxConcurrentStreams: limits.maxStreamsPerConnection } });
  const h1 = createHttp1Server(limits);
  const acceptor = options.tls
    ? tls.createServer({ cert: options.tls.cert, key: options.tls.key, ALPNProtocols: ['h2', 'http/1.1'], handshakeTimeout: limits.detectTimeoutMs })
    : net.createServer();
  const cap = createConnectionCap(limits.maxConnections);
  const raw = new Set<Socket>();
  const sniffing = new Set<Socket>();
  const sessions = new Map<ServerHttp2Session, Socket>();
  const h1Active = new Map<Socket, number>();
  let closing = false;

  acceptor.on('connection', (socket: Socket) => {
    if (!cap.admit(socket)) return void socket.destroy();
    raw.add(socket);
    socket.once('close', () => raw.delete(socket));
  });
  acceptor.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    // Until the HTTP server adopts the socket nothing else listens for its errors, and an
    // unheard 'error' (a client's RST: ECONNRESET) would crash the whole process.
    socket.on('error', () => socket.destroy());
    if (closing || socket.destroyed) return void socket.destroy();
    // Under TLS the cap tracks the TCP socket the TLS socket wraps.
    const tracked = cap.tracked((socket as Socket & { _parent?: Socket })._parent ?? socket);
    sniffing.add(socket);
    socket.once('close', () => sniffing.delete(socket));
    sniffProtocol(socket, limits.detectTimeoutMs, (protocol) => {
      sniffing.delete(socket);
      // The HTTP/2 session reads what is buffered on its own next tick; the HTTP/1.1
      // parser needs the stream flowing again.
      if (protocol === 'h2') {
        adopting = { socket, tracked };
        h2.emit('connection', socket);
        adopting = undefined;
      } else {
        if (tracked) tracked.idle = () => (h1Active.get(socket) ?? 0) === 0;
        h1.emit('connection', socket);
        socket.resume();
      }
    });
  });

  // The http2 server creates the session synchronously inside its 'connection' handler.
  let adopting: { socket: Socket; tracked: ReturnType<typeof cap.tracked> } | undefined;
  h2.on('session', (session: ServerHttp2Session) => {
    const socket = adopting?.socket;
    if (socket === undefined) return void session.destroy();
    sessions.set(session, socket);
    session.once('close', () => sessions.delete(session));
    const guard = guardSession(session, socket, { limits, onRapidReset: options.onRapidReset });
    if (adopting?.tracked) adopting.tracked.idle = guard.idle;
    // A connection that raced the start of close(): it may still finish what it sends first.
    if (closing) goAway(session);
  });
  // A call answered before its request was read (e.g. RESOURCE_EXHAUSTED) leaves the client
  // blocked mid-body on flow control and the stream half-open for good (no log line, a leaked
  // stream). Reset it once the answer is out, a moment later: an immediate reset races the
  // trailers, and connect-node clients then report "Premature close" instead of the status.
  h2.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, _flags: number, rawHeaders: string[]) => {
    // Watched on the stream's writable side (a compat response's own 'finish' waits for the
    // stream to close); the request is complete once the stream's readable side has ended.
    stream.on('finish', resetUnreadAfterAnswer);
    // A stream the client resets with an error code emits 'error'; the compat pair listens
    // for it, a bare stream must too, or the error would take the process down.
    stream.on('error', ignoreStreamError);
    if (handlers.stream(stream, headers)) return;
    const pair = compatPair(stream, headers, rawHeaders);
    if (pair !== undefined) handlers.request(pair[0], pair[1]);
  });
  h1.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    if (!h1Active.has(socket)) socket.once('close', () => h1Active.delete(socket));
    h1Active.set(socket, (h1Active.get(socket) ?? 0) + 1);
    if (closing) response.setHeader('connection', 'close');
    // Same early answer over HTTP/1.1: the unread rest of the body would block the next request
    // on this keep-alive connection (connect stops reading it), so such a connection is closed
    // after the answer. A request with a body starts out answered with `connection: close`,
    // taken back once the whole body has been read ('end'); the head written before that keeps it.
    // (No per-request wrapper of writeHead: the header is decided by the request's own events.)
    // A request without a body (no length, not chunked) is complete even before Node says so.
    const bodyless = request.headers['transfer-encoding'] === undefined && Number(request.headers['content-length'] ?? 0) === 0;
    if (!bodyless && !request.complete) {
      response.setHeader('connection', 'close');
      request.once('end', () => {
        if (!closing && !response.headersSent) response.removeHeader('connection');
      });
    }
    response.once('close', () => {
      if (!h1Active.has(socket)) return;
      const left = (h1Active.get(socket) ?? 1) - 1;
      h1Active.set(socket, left);
      if (closing && left === 0) socket.destroySoon();
    });
    handlers.request(request, response);
  });

  await new Promise<void>((resolve, reject) => {
    acceptor.once('error', reject);
    acceptor.listen(port, host, () => {
      acceptor.off('error', reject);
      resolve();
    });
  });

  return {
    port: (acceptor.address() as AddressInfo).port,
    async drain(graceMs) {
      closing = true;
      const closed = new Promise<void>((resolve) => acceptor.close(() => resolve()));
      for (const socket of sniffing) socket.destroy();
      for (const [session, socket] of sessions) {
        goAway(session);
        releaseSocketAfter(session, socket);
      }
      for (const [socket, active] of h1Active) if (active === 0) socket.destroySoon();
      const timer = setTimeout(() => {
        for (const session of sessions.keys()) session.destroy();
        for (const socket of raw) socket.destroy();
      }, graceMs);
      try {
        await closed;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
