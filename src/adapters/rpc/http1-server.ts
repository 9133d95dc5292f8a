// The HTTP/1.1 side of the shared port, with a timeout at every stage. The listener hands this
// server sockets itself and never calls listen(), and Node 20 (lib/_http_server.js) creates
// the connection list and starts the interval that enforces headersTimeout and requestTimeout
// only in its 'listening' handler (setupConnectionsTracking); without it both timeouts are
// silently off. Emitting 'listening' once runs exactly that handler and nothing else.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Limits } from '../../app/limits.ts';

type Http1Limits = Pick<Limits, 'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs' | 'bodyTimeoutMs'>;

/**
 * An http.Server for sockets handed over by the listener: the head must arrive within
 * headersTimeoutMs and the whole request within requestTimeoutMs (else 408 and close), an
 * idle keep-alive connection closes after keepAliveTimeoutMs, and a request body that stops
 * arriving for bodyTimeoutMs closes the connection.
 */
export function createHttp1Server(limits: Http1Limits): http.Server {
  const server = http.createServer({
    // Node refuses headersTimeout > requestTimeout; a shorter request timeout caps both.
    headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // How often the expired heads and requests are looked for: the default (30 s) would let a
    // 10 s timeout run to 40 s.
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4))),
  });
  server.emit('listening');

  // The socket inactivity timer (reset by Node on every parsed chunk) is the body timeout.
  // It also fires on an idle keep-alive socket (Node arms it with keepAliveTimeout) and on a
  // call whose handler is merely slow; only the latter must survive, since its own deadline
  // governs it. A listener on 'timeout' turns Node's default destroy off, so it is done here.
  server.timeout = limits.bodyTimeoutMs;
  const current = new WeakMap<Socket, IncomingMessage>();
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    current.set(request.socket, request);
    response.once('close', () => {
      if (current.get(request.socket) === request) current.delete(request.socket);
    });
  });
  server.on('timeout', (socket: Socket) => {
    const request = current.get(socket);
    if (request === undefined || !request.complete) socket.destroy();
  });
  return server;
}
