// The shape of a measured row and of a scenario, shared by the scenario list, the
// measuring functions, the sweep and the report.
import type { CodeCounts } from './call-log.ts';
import type { RunFigures } from './latency.ts';
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

export interface Context {
  readonly stand: Stand;
  readonly settings: BenchSettings;
  readonly round: number;
}

export type Measure = (context: Context) => Promise<Omit<Row, 'id' | 'label' | 'server' | 'round'>>;

export interface Scenario {
  readonly id: string;
  readonly label: string;
  readonly server: keyof Servers;
  readonly measure: Measure;
}

export const serverNames: Record<keyof Servers, string> = {
  sqlite: 'videosvc (SQLite)',
  dynamo: 'videosvc (dynalite)',
  grpcJs: 'bare grpc-js',
  connect: 'bare connect-node',
  dynalite: 'dynalite',
};

export function isVideosvc(server: keyof Servers): boolean {
  return server === 'sqlite' || server === 'dynamo';
}

