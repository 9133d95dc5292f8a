// The RPC server (SPEC §6): gRPC, gRPC-Web and Connect on one port, HTTP/2 and HTTP/1.1,
// optional TLS; health, reflection and the HTTP probes beside VideoService; graceful close.
import type { Http2Stream, IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { DescService } from '@bufbuild/protobuf';
import { Code } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import type { Logger } from 'pino';
import { defaultLimits, type Limits } from '../../app/limits.ts';
import type { StoreCallOptions } from '../../domain/ports.ts';
import type { Claims } from '../../app/claims.ts';
import type { Videos } from '../../app/videos.ts';
import { Health } from '../../gen/grpc/health/v1/health_pb.ts';
import { ServerReflection as ReflectionV1 } from '../../gen/grpc/reflection/v1/reflection_pb.ts';
import { ServerReflection as ReflectionV1alpha } from '../../gen/grpc/reflection/v1alpha/reflection_pb.ts';
import { VideoService } from '../../gen/video/v1/video_service_pb.ts';
import { createServiceMetrics, type ServiceMetrics } from '../telemetry/metrics.ts';
import type { TokenVerifier } from '../token/verifier.ts';
import { createCallAdmission } from './call-admission.ts';
import { deadlineInterceptor, policyInterceptor } from './call-guards.ts';
import { createCallPolicy } from './call-policy.ts';
import { createCors } from './cors.ts';
import { createUnaryFastPath } from './unary-fast-path.ts';
import { clampDeadlineHeaders } from './deadline-header.ts';
import { errorInterceptor } from './errors.ts';
import { healthHandlers } from './health.ts';
import { httpRoutes } from './http-routes.ts';
import { strictJsonOptions } from './json-options.ts';
import { listen, type NodeRequest, type NodeResponse, type TlsOptions } from './listener.ts';
import { createCallLog } from './logging.ts';
import { createPublicStreams } from './public-streams.ts';
import { createCallerRateLimiter } from './rate-limit.ts';
import { resetWindowMs } from './rapid-reset.ts';
import { registerReflection } from './reflection.ts';
import { answerUndecodableRequestsAsInvalidArgument, requestFaultInterceptor } from './request-faults.ts';
import { serveNextTurnUnlessReset } from './reset-before-read.ts';
import { videoServiceCalls, videoServiceHandlers } from './video-service.ts';

/** A plain unary gRPC call taken on its bare stream (the lean path), with when it arrived. */
interface LeanArrival {
  readonly stream: ServerHttp2Stream;
  readonly headers: IncomingHttpHeaders;
  readonly receivedNs: bigint;
}

/** Any other call on an HTTP/2 stream, as Node's compat request/response pair. */
interface RequestArrival {
  readonly stream: Http2Stream;
  readonly request: NodeRequest;
  readonly response: NodeResponse;
}

export interface RpcServerOptions {
  videos: Videos;
  /** ClaimVideo and RenewClaim; its waiting calls are answered (no video) once the server drains or closes. */
  claims: Claims;
  /** The store's readiness probe (VideoStore.ping), told the probe's deadline. */
  ping: (options?: StoreCallOptions) => Promise<void>;
  verifier: TokenVerifier;
  logger: Logger;
  host: string;
  /** 0 picks a free port; read it back from RpcServer.port. */
  port: number;
  tls?: TlsOptions;
  /** How often a health Watch re-probes the store; default 5 s. */
  healthWatchIntervalMs?: number;
  /** The SPEC §6 resource limits; defaultLimits when absent. */
  limits?: Limits;
  /**
   * Once aborted, /readyz answers 503 and health NOT_SERVING while calls are still served
   * as usual: the pre-stop delay, so load balancers stop sending before close() refuses.
   */
  draining?: AbortSignal;
  /** CORS_ORIGINS: browser origins allowed to call (cors.ts); none, the default, turns CORS off. */
  corsOrigins?: readonly string[];
  /**
   * Where the server counts its calls and GET /metrics reads from; the composition root
   * passes the one its store decorator counts in too. A registry of its own when absent.
   */
  metrics?: ServiceMetrics;
}

export interface RpcServer {
  readonly port: number;
  /** http://HOST:PORT, or https:// with TLS (127.0.0.1 when listening on every interface). */
  readonly url: string;
  /**
   * Stops accepting, turns health NOT_SERVING, lets in-flight calls finish for up to
   * graceMs (default 10 000), then destroys what is left. Resolves when closed.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** SPEC §6: request messages above 1 MiB are refused with RESOURCE_EXHAUSTED. */
export const readMaxBytes = 1024 * 1024;

const defaultGraceMs = 10_000;

function procedurePaths(services: readonly DescService[]): Set<string> {
  return new Set(services.flatMap((service) => service.methods.map((method) => `/${service.typeName}/${method.name}`)));
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts the server and resolves once it listens. */
export async function startRpcServer(options: RpcServerOptions): Promise<RpcServer> {
  const limits = options.limits ?? defaultLimits;
  const closing = new AbortController();
  const notReady = options.draining ? AbortSignal.any([closing.signal, options.draining]) : closing.signal;
  const publicStreams = createPublicStreams({ maxStreams: limits.maxPublicStreams, maxMs: limits.publicStreamMaxMs });
  const admission = createCallAdmission(limits.maxCallsInFlight);
  const procedures = procedurePaths([VideoService, Health, ReflectionV1, ReflectionV1alpha]);
  const metrics = options.metrics ?? createServiceMetrics();
  const callLog = createCallLog(options.logger, procedures, metrics.calls);
  const cors = createCors(options.corsOrigins ?? [], procedures);
  // One policy (closing, auth, rate limit, deadlines, error mapping) for both paths below.
  const policy = createCallPolicy({
    verifier: options.verifier,
    limiter: createCallerRateLimiter({ perSecond: limits.rateLimitPerSecond, burst: limits.rateLimitBurst }),
    closing: closing.signal,
  });
  const calls = videoServiceCalls({ videos: options.videos, claims: options.claims }, limits.storeTimeoutMs);
  const stopWaiting = () => options.claims.stopWaiting();
  closing.signal.addEventListener('abort', stopWaiting, { once: true });
  options.draining?.addEventListener('abort', stopWaiting, { once: true });
  const fastPath = createUnaryFastPath({ calls, policy, callLog, readMaxBytes });
  const rpcHandler = connectNodeAdapter({
    routes(router) {
      router.service(VideoService, videoServiceHandlers(calls));
      router.service(Health, healthHandlers({
        ping: options.ping,
        closing: closing.signal,
        draining: options.draining,
        watchIntervalMs: options.healthWatchIntervalMs,
        publicStreams,
      }));
      registerReflection(router, [VideoService, Health], publicStreams);
      answerUndecodableRequestsAsInvalidArgument(router, callLog.noteAnswerStatus);
    },
    // Outermost first: the log sees the final code; errors are mapped before it sees them.
    interceptors: [
      callLog.interceptor,
      requestFaultInterceptor,
      errorInterceptor(),
      deadlineInterceptor(),
      policyInterceptor(policy),
    ],
    readMaxBytes,
    jsonOptions: strictJsonOptions,
    contextValues: callLog.contextValues,
    fallback: httpRoutes({ ping: options.ping, closing: notReady, metrics }),
  });
  const droppedBeforeRead = (path: string): void => options.logger.debug({ path: path.split('?', 1)[0] }, 'stream reset before its request was read');
  // Every call on an HTTP/2 stream is served a turn after it arrived (reset-before-read.ts).
  const serveLeanStream = serveNextTurnUnlessReset<LeanArrival>(
    ({ stream, headers, receivedNs }) => fastPath.serveGrpc(stream, headers, callLog.openStream(stream, headers, receivedNs)),
    ({ headers }) => droppedBeforeRead(String(headers[':path'])),
  );
  const serveRequest = (request: NodeRequest, response: NodeResponse): void => {
    // Connect JSON unary calls of VideoService take the lean path too.
    if (fastPath.takesConnect(request)) return fastPath.serveConnect(request, response);
    clampDeadlineHeaders(request);
    callLog.track(request, response);
    rpcHandler(request, response);
  };
  const serveHttp2Request = serveNextTurnUnlessReset<RequestArrival>(
    ({ request, response }) => serveRequest(request, response),
    ({ request }) => droppedBeforeRead(request.url ?? ''),
  );
  const listener = await listen(
    options.host,
    options.port,
    {
      // Plain unary gRPC calls of VideoService take the lean path on their bare HTTP/2 stream
      // (unary-fast-path.ts), counted and refused by the same admission and logged by the same call log.
      stream(stream, headers) {
        if (!fastPath.takesGrpc(headers) || cors?.fromAllowedOrigin(headers)) return false;
        const receivedNs = process.hrtime.bigint();
        if (!admission.admitStream(stream)) {
          const record = callLog.openStream(stream, headers, receivedNs);
          if (record !== undefined) record.trailerStatus = String(Code.ResourceExhausted);
          admission.refuseStream(stream, record === undefined ? undefined : { 'x-request-id': record.requestId });
          return true;
        }
        serveLeanStream({ stream, headers, receivedNs });
        return true;
      },
      request(request, response) {
        // First, so a preflight is answered at once and a refusal below still reaches the page.
        if (cors?.handle(request, response)) return;
        if (!admission.admit(request, response)) {
          // A refused call is still a call, with its line in the log.
          callLog.track(request, response);
          admission.refuse(request, response);
          return;
        }
        if ('stream' in request) serveHttp2Request({ stream: request.stream, request, response });
        else serveRequest(request, response);
      },
    },
    {
      tls: options.tls,
      limits,
      onRapidReset: (resets) =>
        options.logger.warn({ resets, windowMs: resetWindowMs }, 'closed an HTTP/2 session that reset too many streams (rapid reset)'),
    },
  );

  let closed: Promise<void> | undefined;
  return {
    port: listener.port,
    url: `${options.tls ? 'https' : 'http'}://${urlHost(options.host)}:${listener.port}`,
    close(closeOptions = {}) {
      // Idempotent: a second signal waits for the first close instead of starting another.
      closed ??= (async () => {
        closing.abort();
        await listener.drain(closeOptions.graceMs ?? defaultGraceMs);
      })();
      return closed;
    },
  };
}
