// grpc.health.v1.Health (SPEC §6). The whole server ("") reflects the process: SERVING
// while it serves, NOT_SERVING once shutdown has begun, whatever the store does, so a
// liveness probe on it does not restart every replica during a store outage (issue 12).
// video.v1.VideoService reflects readiness as /readyz does: SERVING while the store
// answers, NOT_SERVING when it does not or once shutdown has begun.
import type { ServiceImpl } from '@connectrpc/connect';
import { setTimeout as sleep } from 'node:timers/promises';
import { Health, HealthCheckResponse_ServingStatus as Status } from '../../gen/grpc/health/v1/health_pb.ts';
import { VideoService } from '../../gen/video/v1/video_service_pb.ts';
import { unknownServiceError } from './errors.ts';
import type { PublicStreams } from './public-streams.ts';
import { storeReachable } from './store-probe.ts';

export interface HealthOptions {
  readonly ping: () => Promise<void>;
  /** Aborted when the server starts closing: statuses turn NOT_SERVING and Watch streams end. */
  readonly closing: AbortSignal;
  /** Aborted at the start of the pre-stop delay: statuses turn NOT_SERVING, Watch streams stay open. */
  readonly draining?: AbortSignal;
  /** How often a Watch re-probes the store; default 5 s. */
  readonly watchIntervalMs?: number;
  /** The server-wide bound on unauthenticated streams, which Watch is one of. */
  readonly publicStreams: PublicStreams;
}

const knownServices = ['', VideoService.typeName];

/** The Health service: Check, List and Watch over the store probe and the closing signal. */
export function healthHandlers(options: HealthOptions): ServiceImpl<typeof Health> {
  const watchIntervalMs = options.watchIntervalMs ?? 5_000;

  const stopping = () => options.closing.aborted || options.draining?.aborted === true;

  async function currentStatus(service: string): Promise<Status> {
    if (stopping()) return Status.NOT_SERVING;
    if (service === '') return Status.SERVING;
    return (await storeReachable(options.ping)) && !stopping() ? Status.SERVING : Status.NOT_SERVING;
  }

  return {
    async check(request) {
      if (!knownServices.includes(request.service)) {
        throw unknownServiceError(request.service);
      }
      return { status: await currentStatus(request.service) };
    },

    async list() {
      const statuses = await Promise.all(knownServices.map(async (service) => [service, { status: await currentStatus(service) }] as const));
      return { statuses: Object.fromEntries(statuses) };
    },

    // Sends the current status, then each change; ends when the server closes, the client goes,
    // or the stream reaches its lifetime (then with OK, and the client watches again).
    watch(request, context) {
      return options.publicStreams.run((lifetime) => watchStatus(request.service, context.signal, lifetime));
    },
  };

  async function* watchStatus(service: string, callSignal: AbortSignal, lifetime: AbortSignal): AsyncGenerator<{ status: Status }> {
    const known = knownServices.includes(service);
    const stop = AbortSignal.any([options.closing, callSignal, lifetime]);
    // The start of the pre-stop delay wakes the sleep too, so watchers hear NOT_SERVING at once.
    const wake = options.draining ? AbortSignal.any([stop, options.draining]) : stop;
    let sent: Status | undefined;
    for (;;) {
      const status = known ? await currentStatus(service) : Status.SERVICE_UNKNOWN;
      if (status !== sent) {
        yield { status };
        sent = status;
      }
      // Closing wakes the sleep; the next pass sends NOT_SERVING, then the stream ends here.
      if (stop.aborted) return;
      await sleep(watchIntervalMs, undefined, { signal: options.draining?.aborted ? stop : wake }).catch(() => undefined);
      if (callSignal.aborted) return;
    }
  }
}
