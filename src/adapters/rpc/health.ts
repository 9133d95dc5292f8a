// grpc.health.v1.Health (SPEC §6): SERVING for the server ("") and video.v1.VideoService
// while the store answers; NOT_SERVING when it does not or once shutdown has begun.
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

  async function currentStatus(): Promise<Status> {
    const notReady = () => options.closing.aborted || options.draining?.aborted === true;
    if (notReady()) return Status.NOT_SERVING;
    return (await storeReachable(options.ping)) && !notReady() ? Status.SERVING : Status.NOT_SERVING;
  }

  return {
    async check(request) {
      if (!knownServices.includes(request.service)) {
        throw unknownServiceError(request.service);
      }
      return { status: await currentStatus() };
    },

    async list() {
      const status = await currentStatus();
      return { statuses: Object.fromEntries(knownServices.map((service) => [service, { status }])) };
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
      const status = known ? await currentStatus() : Status.SERVICE_UNKNOWN;
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
