// Plain HTTP routes (SPEC §6), served on the RPC port for any path that is not an RPC, with
// no token: GET /healthz (the process is alive), GET /readyz (the store answers) for load
// balancers, GET /metrics (Prometheus text) for scrapers.
import type { ConnectNodeAdapterOptions } from '@connectrpc/connect-node';
import type { ServiceMetrics } from '../telemetry/metrics.ts';
import { storeReachable } from './store-probe.ts';

// connect-node's handler type (it does not export the name): takes HTTP/1.1 and HTTP/2 requests.
type NodeHandler = NonNullable<ConnectNodeAdapterOptions['fallback']>;
type NodeServerResponse = Parameters<NodeHandler>[1];

export interface HttpRouteOptions {
  readonly ping: () => Promise<void>;
  /** Once aborted, /readyz answers 503 so load balancers drain this instance. */
  readonly closing: AbortSignal;
  readonly metrics: Pick<ServiceMetrics, 'contentType' | 'render'>;
}

function reply(response: NodeServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  response.end(`${body}\n`);
}

const routes = new Set(['/healthz', '/readyz', '/metrics']);

/** The fallback handler for non-RPC requests: /healthz, /readyz, /metrics, else 404. */
export function httpRoutes(options: HttpRouteOptions): NodeHandler {
  const { metrics } = options;
  return (request, response) => {
    const path = (request.url ?? '').split('?', 1)[0] ?? '';
    const method = request.method ?? '';
    if (routes.has(path) && method !== 'GET' && method !== 'HEAD') {
      return reply(response, 405, 'method not allowed');
    }
    if (path === '/healthz') return reply(response, 200, 'ok');
    if (path === '/metrics') {
      void metrics.render().then(
        (text) => {
          response.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
          response.end(text);
        },
        () => reply(response, 500, 'metrics could not be collected'),
      );
      return;
    }
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
