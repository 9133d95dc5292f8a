// CORS for browsers (SPEC §6): pages on the origins in CORS_ORIGINS may call the RPCs over
// Connect and gRPC-Web. The header lists are connect's own (`cors` from @connectrpc/connect)
// plus what this service reads or sends besides. Off (no origins configured) or for an origin
// not on the list, nothing here touches the request: no Access-Control-* header is sent and an
// OPTIONS preflight gets what any other OPTIONS gets from connect-node (405), so the browser
// refuses the call. An allowed origin's preflight is answered here (204) before admission,
// rate limits or the call log, and its actual calls carry the origin in the answer.
import type { IncomingHttpHeaders } from 'node:http2';
import { cors as connectCors } from '@connectrpc/connect';
import type { NodeRequest, NodeResponse } from './listener.ts';

export interface Cors {
  /**
   * Called for every request before anything answers it: answers an allowed origin's
   * preflight for an RPC path (true: nothing more to do), else sets the CORS headers of the
   * answer an allowed origin's call gets (false: serve it as usual).
   */
  handle(request: NodeRequest, response: NodeResponse): boolean;
  /**
   * Whether an HTTP/2 stream comes from a page on an allowed origin: such a call is left to the
   * compat request/response path, where handle() sets its headers, and not the lean gRPC path,
   * which writes its fixed response head on the bare stream (browsers cannot speak plain gRPC
   * anyway, so this costs the lean path nothing it serves in practice).
   */
  fromAllowedOrigin(headers: IncomingHttpHeaders): boolean;
}

// Sent by this service's clients beyond connect's list: the token (SPEC §4), a request id the
// call log echoes, and W3C trace context that browser instrumentation adds.
const extraAllowedHeaders = ['authorization', 'x-request-id', 'traceparent', 'tracestate'];
// The request id every answer carries, for a page to quote in a bug report.
const extraExposedHeaders = ['x-request-id'];
// Chromium caps a cached preflight at 2 hours; Firefox allows a day.
const preflightMaxAgeSeconds = 7200;

/** The CORS handling for `origins` (exact Origin header values) on the RPC paths in `procedures`; undefined when there are none (CORS off). */
export function createCors(origins: readonly string[], procedures: ReadonlySet<string>): Cors | undefined {
  if (origins.length === 0) return undefined;
  const allowed = new Set(origins);
  const preflightHead = Object.freeze({
    'access-control-allow-methods': connectCors.allowedMethods.join(', '),
    'access-control-allow-headers': [...connectCors.allowedHeaders, ...extraAllowedHeaders].join(', '),
    'access-control-max-age': String(preflightMaxAgeSeconds),
    // The answer depends on all three, so a cache must not hand it to another origin or request.
    vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    'cache-control': 'no-store',
  });
  const exposedHeaders = [...connectCors.exposedHeaders, ...extraExposedHeaders].join(', ');

  const isProcedure = (url: string | undefined): boolean => {
    if (url === undefined) return false;
    const query = url.indexOf('?');
    return procedures.has(query === -1 ? url : url.slice(0, query));
  };

  return {
    handle(request, response) {
      const origin = request.headers.origin;
      if (origin === undefined) {
        // A Connect GET answer may be cached; it must not be served to a page later on.
        if (request.method === 'GET' && isProcedure(request.url)) response.setHeader('vary', 'Origin');
        return false;
      }
      if (!isProcedure(request.url)) return false;
      if (!allowed.has(origin)) {
        response.setHeader('vary', 'Origin');
        return false;
      }
      if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
        response.writeHead(204, { ...preflightHead, 'access-control-allow-origin': origin });
        response.end();
        return true;
      }
      response.setHeader('access-control-allow-origin', origin);
      response.setHeader('access-control-expose-headers', exposedHeaders);
      response.setHeader('vary', 'Origin');
      return false;
    },
    fromAllowedOrigin(headers) {
      const origin = headers.origin;
      return origin !== undefined && allowed.has(origin);
    },
  };
}
