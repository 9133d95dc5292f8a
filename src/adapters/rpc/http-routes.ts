// Plain HTTP probes for load balancers (SPEC §6), served on the RPC port for any path
// that is not an RPC: GET /healthz (the process is alive), GET /readyz (the store answers).
import type { ConnectNodeAdapterOptions } from '@connectrpc/connect-node';
import { storeReachable } from './store-probe.ts';

// connect-node's handler type (it does not export the name): takes HTTP/1.1 and HTTP/2 requests.
type NodeHandler = NonNullable<ConnectNodeAdapterOptions['fallback']>;
type NodeServerResponse = Parameters<NodeHandler>[1];

export interface HttpRouteOptions {
  readonly ping: () => Promise<void>;
  /** Once aborted, /readyz answers 503 so load balancers drain this instance. */
  readonly closing: AbortSignal;
}

function reply(response: NodeServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  response.end(`${body}\n`);
}

/** The fallback handler for non-RPC requests: /healthz, /readyz, else 404. */
export function httpRoutes(options: HttpRouteOptions): NodeHandler {
  return (request, response) => {
    const path = (request.url ?? '').split('?', 1)[0];
    const method = request.method ?? '';
    if ((path === '/healthz' || path === '/readyz') && method !== 'GET' && method !== 'HEAD') {
      return reply(response, 405, 'method not allowed');
    }
    if (path === '/healthz') return reply(response, 200, 'ok');
    if (path === '/readyz') {
      if (options.closing.aborted) return reply(response, 503, 'shutting down');
      void storeReachable(options.ping).then((ready) =>
        reply(response, ready ? 200 : 503, ready ? 'ready' : 'store unreachable'),
      );
      return;
    }
    reply(response, 404, 'not found');
  };
}
