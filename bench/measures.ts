// How a row is measured: h2load with one pre-encoded call (probed first), the Node
// driver for calls that change per request, both load generators at once (reads beside
// writes), and the bare DynamoDB GetItem loop.
import { ownerVideo, type owners } from './dataset/dataset.ts';
import { h2load } from './drivers/h2load.ts';
import { runGetItemLoop, runGrpcDriver } from './drivers/launch.ts';
import { callHeaders, probe } from './probe.ts';
import type { CallSpec } from './requests.ts';
import { serverNames, type Measure } from './row.ts';
import type { Servers, Stand } from './stand.ts';

/** An offered rate as h2load takes it: connections, each sending `perConnection` requests per second. */
export interface OfferedRate {
  readonly connections: number;
  readonly perConnection: number;
}

export type Role = keyof typeof owners;

/** An h2load row: one call, probed first, at the settings' HTTP/2 (or HTTP/1.1) concurrency. */
export function h2loadRun(server: keyof Servers, call: (stand: Stand) => CallSpec, role: Role, options: { http1?: boolean; rate?: OfferedRate } = {}): Measure {
  return async ({ stand, settings }) => {
    const target = stand.servers[server];
    const url = options.http1 && server === 'connect' ? String(target.announced.http1Url) : target.url;
    const spec = call(stand);
    const bearer = stand.bearers[role];
    await probe(serverNames[server], url, spec, bearer);
    const connections = options.rate?.connections ?? (options.http1 ? settings.http1Connections : settings.connections);
    const figures = await h2load({
      url,
      path: spec.procedure,
      body: spec.body,
      headers: callHeaders(spec, bearer),
      connections,
      streams: settings.streams,
      warmupSeconds: settings.warmupSeconds,
      seconds: settings.seconds,
      ratePerConnection: options.rate?.perConnection,
      http1: options.http1,
      scratch: stand.scratch,
    });
    const { command, ...rest } = figures;
    return {
      driver: 'h2load',
      load: options.http1 ? `${connections} conn (HTTP/1.1)` : `${connections} conn × ${settings.streams} streams`,
      figures: rest,
      command,
    };
  };
}

/** A Node-driver row (drivers/workloads.ts) at the settings' HTTP/2 concurrency, acting as `role`. */
export function driverRun(
  workload: Parameters<typeof runGrpcDriver>[0]['workload'],
  role: Role,
  load?: { readonly connections: number; readonly streams: number },
): Measure {
  return async ({ stand, settings }) => {
    const { connections, streams } = load ?? settings;
    const figures = await runGrpcDriver({
      url: stand.servers.sqlite.url,
      bearer: stand.bearers[role],
      connections,
      streams,
      warmupSeconds: settings.warmupSeconds,
      seconds: settings.seconds,
      workload,
    });
    return { driver: 'node driver', load: `${connections} conn × ${streams} streams`, figures };
  };
}

/** GetVideo and CreateVideo at full speed at once, two h2load processes: what writes do to reads. */
export function getBesideCreate(): Measure {
  return async (context) => {
    const beside = h2loadRun('sqlite', (stand) => stand.calls.createVideo, 'creator')(context);
    const get = await h2loadRun('sqlite', (stand) => stand.calls.getVideo, 'reader')(context);
    const create = await beside;
    return { ...get, beside: { label: `CreateVideo at ${create.load}`, figures: create.figures } };
  };
}

/** The bare GetItem loop at the in-flight count of the GetVideo rows, on the item GetVideo reads. */
export function getItemLoop(): Measure {
  return async ({ stand, settings }) => {
    const video = ownerVideo(0, 0);
    const concurrency = settings.connections * settings.streams;
    const figures = await runGetItemLoop({
      endpoint: stand.servers.dynalite.url,
      table: stand.dynamoTable,
      key: { ownerId: video.ownerId, videoId: video.videoId },
      concurrency,
      warmupSeconds: settings.warmupSeconds,
      seconds: settings.seconds,
    });
    return { driver: 'GetItem loop', load: `${concurrency} in flight`, figures };
  };
}
