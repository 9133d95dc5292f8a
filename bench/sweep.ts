// The latency–throughput curve of GetVideo: h2load offering fixed rates, fractions of
// the peak each server reached in the same round.
import { h2loadRun, type OfferedRate } from './measures.ts';
import type { Scenario } from './row.ts';
import type { BenchSettings } from './settings.ts';
import type { Servers } from './stand.ts';

/** The servers of the latency–throughput curve, by the id of their peak GetVideo row. */
export const sweepServers: ReadonlyArray<{ readonly server: keyof Servers; readonly peakId: string }> = [
  { server: 'sqlite', peakId: 'get' },
  { server: 'grpcJs', peakId: 'grpcjs-get' },
  { server: 'connect', peakId: 'connect-get' },
];

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
