// The two sizes of `npm run bench`: the full run (under 20 minutes, two rounds so every
// figure has a spread) and `--quick` (under 3 minutes, one round, shorter windows, fewer
// videos on dynalite, fewer points on the latency–throughput curve).
import { parseArgs } from 'node:util';
import type { DatasetSize } from './dataset/dataset.ts';

export interface BenchSettings {
  readonly mode: 'full' | 'quick';
  /** Each scenario runs once per round; rounds run one after another, so background load spreads over all. */
  readonly rounds: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly sqliteData: DatasetSize;
  readonly dynamoData: DatasetSize;
  /** HTTP/2 load: connections × concurrent streams per connection. */
  readonly connections: number;
  readonly streams: number;
  /** HTTP/1.1 load (Connect JSON): connections, one request in flight on each. */
  readonly http1Connections: number;
  /** Points of the latency–throughput curve, as fractions of the peak of the same round. */
  readonly sweepFractions: readonly number[];
  /** Where the report goes. */
  readonly outDirectory: string;
  /** Also measure RSS growth over 1 000 000 GetVideo calls (minutes at today's throughput). */
  readonly memory: boolean;
  /** A line put at the top of the report (e.g. what else the machine was doing). */
  readonly note?: string;
  /** Only these scenario ids run (and the curve points of the peaks among them); undefined: all. */
  readonly only?: ReadonlySet<string>;
}

const usage = `usage: npm run bench [-- --quick] [-- --rounds N] [-- --out DIR]

Starts videosvc (SQLite and dynalite), a bare grpc-js and a bare connect-node server on
127.0.0.1, loads the data, drives each scenario with h2load (or a Node driver where the
request changes per call) and writes bench/results/<time>.md, .json and .svg.
Needs h2load: sudo apt-get install nghttp2-client.

  --quick      under 3 minutes: 1 round, 1 s warm-up + 3 s per run, fewer videos on dynalite
  --rounds N   rounds of every scenario (default 2, quick 1)
  --out DIR    report directory (default bench/results)
  --memory     also send 1 000 000 GetVideo calls and compare RSS after them with RSS after 10 000
  --note TEXT  a line at the top of the report, e.g. "taken on a shared, loaded machine"
  --only IDS   only these scenarios, comma-separated ids (e.g. grpcjs-get,get), to look at
               one figure while working on it; a ratio whose rows did not run is left empty
`;

/** The settings a command line asks for; prints usage and exits on --help. */
export function parseSettings(argv: readonly string[]): BenchSettings {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      out: { type: 'string' },
      note: { type: 'string' },
      memory: { type: 'boolean', default: false },
      only: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  const quick = values.quick === true;
  const rounds = Number(values.rounds ?? (quick ? 1 : 2));
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a whole number ≥ 1 (got "${values.rounds}")`);
  const sqliteData: DatasetSize = { owners: 1_000, videosPerOwner: 100, bigOwnerVideos: 100_000, claimVideos: 200 };
  return {
    mode: quick ? 'quick' : 'full',
    rounds,
    warmupSeconds: quick ? 1 : 3,
    seconds: quick ? 3 : 10,
    // SQLite loads 200 000 rows in seconds, so even --quick gets the full data there.
    sqliteData,
    // dynalite takes ~4 000 items/s; its scenarios read single items, so --quick loads a slice.
    dynamoData: quick ? { owners: 20, videosPerOwner: 100, bigOwnerVideos: 0, claimVideos: 0 } : sqliteData,
    connections: 4,
    streams: 50,
    http1Connections: 50,
    sweepFractions: quick ? [0.5] : [0.1, 0.25, 0.5, 0.75, 0.9],
    outDirectory: values.out ?? new URL('./results', import.meta.url).pathname,
    note: values.note,
    memory: values.memory === true,
    only: values.only === undefined ? undefined : new Set(values.only.split(',').map((id) => id.trim())),
  };
}
