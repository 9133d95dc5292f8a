// The scenarios of one round, in the order they run: each names its server, its driver
// and its load, probes its call once with the exact bytes it will send, then measures.
// Rows measured by h2load send one pre-encoded body; rows whose request must change per
// call use the Node driver (drivers/grpc-driver.ts), which also measures a GetVideo row
// so their ratios compare one driver with itself.
import { codesSince, logMark, type CodeCounts } from './call-log.ts';
import type { RunFigures } from './latency.ts';
import { driverRun, getBesideCreate, getItemLoop, h2loadRun } from './measures.ts';
import { cpuSeconds, type ServerProcess } from './processes.ts';
import { isVideosvc, serverNames, type Context, type Row, type Scenario } from './row.ts';
import type { BenchSettings } from './settings.ts';

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
    { id: 'claim-video', label: 'ClaimVideo cycle: claim, then the etag-conditional finish (a give-back), 32 workers', server: 'sqlite', measure: driverRun({ kind: 'claim-video' }, 'worker', { connections: 4, streams: 8 }) },
    { id: 'dynamo-get', label: 'GetVideo (gRPC)', server: 'dynamo', measure: h2loadRun('dynamo', (s) => s.calls.getVideo, 'reader') },
    { id: 'dynamo-getitem', label: 'bare lib-dynamodb GetItem loop, same item', server: 'dynalite', measure: getItemLoop() },
  ];
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
