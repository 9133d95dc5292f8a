// The scenarios of one round, in the order they run: each names its server, its driver
// and its load, probes its call once with the exact bytes it will send, then measures.
// Rows measured by h2load send one pre-encoded body; rows whose request must change per
// call use the Node driver (drivers/grpc-driver.ts), which also measures a GetVideo row
// so their ratios compare one driver with itself.
import { owners, ownerVideo } from './dataset/dataset.ts';
import { codesSince, logMark, type CodeCounts } from './call-log.ts';
import { h2load } from './drivers/h2load.ts';
import { runGetItemLoop, runGrpcDriver } from './drivers/launch.ts';
import type { RunFigures } from './latency.ts';
import { callHeaders, probe } from './probe.ts';
import { cpuSeconds, type ServerProcess } from './processes.ts';
import type { CallSpec } from './requests.ts';
import type { BenchSettings } from './settings.ts';
import type { Servers, Stand } from './stand.ts';

export type Driver = 'h2load' | 'node driver' | 'GetItem loop';

/** One measured row of the report. */
export interface Row {
  readonly id: string;
  readonly label: string;
  readonly server: string;
  readonly driver: Driver;
  /** The concurrency, in words: "4 conn × 50 streams". */
  readonly load: string;
  readonly round: number;
  readonly figures: RunFigures;
  /** CPU time the server process spent per completed call (user + system), µs. */
  readonly serverCpuUsPerCall?: number;
  /** Codes in videosvc's call log during the run (every call, warm-up included). */
  readonly calls?: CodeCounts;
  readonly command?: string;
  /** A load run at the same time (GetVideo beside CreateVideo): what it achieved. */
  readonly beside?: { readonly label: string; readonly figures: RunFigures };
}

interface Context {
  readonly stand: Stand;
  readonly settings: BenchSettings;
  readonly round: number;
}

type Measure = (context: Context) => Promise<Omit<Row, 'id' | 'label' | 'server' | 'round'>>;

interface Scenario {
  readonly id: string;
  readonly label: string;
  readonly server: keyof Servers;
  readonly measure: Measure;
}

const serverNames: Record<keyof Servers, string> = {
  sqlite: 'videosvc (SQLite)',
  dynamo: 'videosvc (dynalite)',
  grpcJs: 'bare grpc-js',
  connect: 'bare connect-node',
  dynalite: 'dynalite',
};

function isVideosvc(server: keyof Servers): boolean {
  return server === 'sqlite' || server === 'dynamo';
}

type Role = keyof typeof owners;

/** An h2load row: one call, probed first, at the settings' HTTP/2 (or HTTP/1.1) concurrency. */
function h2loadRun(server: keyof Servers, call: (stand: Stand) => CallSpec, role: Role, options: { http1?: boolean; rate?: OfferedRate } = {}): Measure {
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
function driverRun(workload: Parameters<typeof runGrpcDriver>[0]['workload'], role: Role): Measure {
  return async ({ stand, settings }) => {
    const figures = await runGrpcDriver({
      url: stand.servers.sqlite.url,
      bearer: stand.bearers[role],
      connections: settings.connections,
      streams: settings.streams,
      warmupSeconds: settings.warmupSeconds,
      seconds: settings.seconds,
      workload,
    });
    return { driver: 'node driver', load: `${settings.connections} conn × ${settings.streams} streams`, figures };
  };
}

/** GetVideo and CreateVideo at full speed at once, two h2load processes: what writes do to reads. */
function getBesideCreate(): Measure {
  return async (context) => {
    const beside = h2loadRun('sqlite', (stand) => stand.calls.createVideo, 'creator')(context);
    const get = await h2loadRun('sqlite', (stand) => stand.calls.getVideo, 'reader')(context);
    const create = await beside;
    return { ...get, beside: { label: `CreateVideo at ${create.load}`, figures: create.figures } };
  };
}

/** The bare GetItem loop at the in-flight count of the GetVideo rows, on the item GetVideo reads. */
function getItemLoop(): Measure {
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

/** The scenarios of a round, in order. Baselines and videosvc's GetVideo run back to back, so they meet the same background load. */
export function scenarios(settings: BenchSettings): Scenario[] {
  if (settings.sqliteData.claimVideos < settings.connections * settings.streams) {
    throw new Error('the claim cycle needs one claim video per concurrent stream');
  }
  const readVideos = settings.sqliteData.videosPerOwner;
  return [
    { id: 'grpcjs-get', label: 'GetVideo, constant answer (gRPC)', server: 'grpcJs', measure: h2loadRun('grpcJs', (s) => s.calls.getVideo, 'reader') },
    { id: 'get', label: 'GetVideo (gRPC)', server: 'sqlite', measure: h2loadRun('sqlite', (s) => s.calls.getVideo, 'reader') },
    { id: 'connect-get', label: 'GetVideo, constant answer (gRPC)', server: 'connect', measure: h2loadRun('connect', (s) => s.calls.getVideo, 'reader') },
    { id: 'connect-get-json', label: 'GetVideo, constant answer (Connect JSON, HTTP/1.1)', server: 'connect', measure: h2loadRun('connect', (s) => s.calls.getVideoJson, 'reader', { http1: true }) },
    { id: 'get-json', label: 'GetVideo (Connect JSON, HTTP/1.1)', server: 'sqlite', measure: h2loadRun('sqlite', (s) => s.calls.getVideoJson, 'reader', { http1: true }) },
    { id: 'batch-get', label: 'BatchGetVideos, 50 ids', server: 'sqlite', measure: h2loadRun('sqlite', (s) => s.calls.batchGetVideos, 'reader') },
    { id: 'list-first', label: 'ListVideos, page 50, first page', server: 'sqlite', measure: h2loadRun('sqlite', (s) => s.calls.listFirstPage, 'big') },
    { id: 'list-deep', label: `ListVideos, page 50, ${settings.sqliteData.bigOwnerVideos - 50} deep`, server: 'sqlite', measure: h2loadRun('sqlite', (s) => s.calls.listDeepPage, 'big') },
    { id: 'create', label: 'CreateVideo (service-minted ids)', server: 'sqlite', measure: h2loadRun('sqlite', (s) => s.calls.createVideo, 'creator') },
    { id: 'update', label: 'UpdateVideo, title, unconditional', server: 'sqlite', measure: h2loadRun('sqlite', (s) => s.calls.updateVideo, 'updater') },
    { id: 'get-beside-create', label: 'GetVideo while CreateVideo runs at full speed', server: 'sqlite', measure: getBesideCreate() },
    { id: 'get-node', label: `GetVideo, random of ${readVideos} videos`, server: 'sqlite', measure: driverRun({ kind: 'get', videos: readVideos }, 'mixer') },
    { id: 'mix', label: `90 % GetVideo / 10 % UpdateVideo (title), random of ${readVideos}`, server: 'sqlite', measure: driverRun({ kind: 'mix', videos: readVideos, writePercent: 10 }, 'mixer') },
    { id: 'claim', label: 'claim cycle: etag-conditional UPLOADED → TRANSCODING → UPLOADED', server: 'sqlite', measure: driverRun({ kind: 'claim' }, 'claimer') },
    { id: 'dynamo-get', label: 'GetVideo (gRPC)', server: 'dynamo', measure: h2loadRun('dynamo', (s) => s.calls.getVideo, 'reader') },
    { id: 'dynamo-getitem', label: 'bare lib-dynamodb GetItem loop, same item', server: 'dynalite', measure: getItemLoop() },
  ];
}

/** The servers of the latency–throughput curve, by the id of their peak GetVideo row. */
export const sweepServers: ReadonlyArray<{ readonly server: keyof Servers; readonly peakId: string }> = [
  { server: 'sqlite', peakId: 'get' },
  { server: 'grpcJs', peakId: 'grpcjs-get' },
  { server: 'connect', peakId: 'connect-get' },
];

/** An offered rate as h2load takes it: connections, each sending `perConnection` requests per second. */
interface OfferedRate {
  readonly connections: number;
  readonly perConnection: number;
}

// h2load's rate timer fires at most every 10 ms per connection and sends what is due in
// one burst, so at 2 000 req/s per connection 20 requests would leave together and the
// percentiles would measure h2load's clumps. Spreading the rate over more connections
// smooths it (their timers start at different moments), but every connection costs the
// server too (fewer coalesced writes), which moves the point being measured: measured
// here, 60 connections at one request per tick had a worse p99 than 20 at three. The
// compromise: at most 4 requests per tick per connection (400 req/s), at least as many
// connections as the peak run, each with as many streams, room for a stalled server.
const maxRatePerConnection = 400;

/** How h2load offers `reqPerSec`: at least `minConnections`, none above 400 req/s. */
export function offeredRate(reqPerSec: number, minConnections: number): OfferedRate {
  const connections = Math.max(minConnections, Math.ceil(reqPerSec / maxRatePerConnection));
  return { connections, perConnection: Math.round((reqPerSec / connections) * 1000) / 1000 };
}

/** One point of the curve: GetVideo offered at `fraction` of this round's peak (h2load --rps). */
export function sweepScenario(server: keyof Servers, fraction: number, peakReqPerSec: number, settings: BenchSettings): Scenario {
  const offered = Math.max(1, Math.round(fraction * peakReqPerSec));
  return {
    id: `sweep-${server}-${fraction}`,
    label: `GetVideo at ${Math.round(fraction * 100)} % of peak (${offered} req/s offered)`,
    server,
    measure: h2loadRun(server, (s) => s.calls.getVideo, 'reader', { rate: offeredRate(offered, settings.connections) }),
  };
}

/** Runs one scenario and adds what the server spent: CPU per call and, for videosvc, the codes it logged. */
export async function runScenario(scenario: Scenario, context: Context): Promise<Row> {
  const server: ServerProcess = context.stand.servers[scenario.server];
  const logFile = server.stdoutFile;
  const mark = isVideosvc(scenario.server) ? logMark(logFile) : undefined;
  const cpuBefore = cpuSeconds(server.pid);
  const measured = await scenario.measure(context);
  const cpuAfter = cpuSeconds(server.pid);
  const calls = mark === undefined ? undefined : codesSince(logFile, mark);
  const serverCpuUsPerCall =
    cpuBefore === undefined || cpuAfter === undefined || measured.figures.requests === 0
      ? undefined
      : Math.round(((cpuAfter - cpuBefore) * 1e6) / totalCalls(measured.figures, calls, context.settings));
  return { id: scenario.id, label: scenario.label, server: serverNames[scenario.server], round: context.round, ...measured, serverCpuUsPerCall, calls };
}

// CPU is counted over warm-up and window, so it is divided by every call the server
// answered then: the call log's count for videosvc, else the window's count scaled up.
function totalCalls(figures: RunFigures, calls: CodeCounts | undefined, settings: BenchSettings): number {
  if (calls !== undefined) {
    const logged = Object.values(calls).reduce((sum, n) => sum + n, 0);
    if (logged > 0) return logged;
  }
  return (figures.requests * (settings.warmupSeconds + settings.seconds)) / settings.seconds;
}
