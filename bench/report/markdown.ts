// The report as markdown: machine, every row (median of the rounds and their spread),
// the target ratios, the latency–throughput points, and how each figure was measured.
import type { CodeCounts } from '../call-log.ts';
import type { Row } from '../row.ts';
import type { BenchSettings } from '../settings.ts';
import type { MemoryFigures } from '../memory.ts';
import type { Machine } from './machine.ts';
import type { Ratio } from './ratios.ts';

export interface Report {
  readonly title: string;
  readonly startedAt: string;
  readonly minutes: number;
  readonly note?: string;
  readonly settings: BenchSettings;
  readonly machine: Machine;
  readonly loadAverageAtEnd: readonly number[];
  readonly loaded: { readonly sqliteVideos: number; readonly sqliteSeconds: number; readonly dynamoVideos: number; readonly dynamoSeconds: number };
  readonly rssMB: Readonly<Record<string, number | undefined>>;
  readonly rows: readonly Row[];
  readonly ratios: readonly Ratio[];
  /** Present with --memory. */
  readonly memory?: MemoryFigures;
  readonly chartFile: string;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function number(value: number | undefined, digits = 0): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).replace(/,/g, ' ');
}

/** "median (min–max)" over rounds, or the one value. */
function spread(values: readonly number[], digits: number): string {
  if (values.length === 1) return number(values[0], digits);
  return `${number(median(values), digits)} (${number(Math.min(...values), digits)}–${number(Math.max(...values), digits)})`;
}

function codes(counts: CodeCounts | undefined): string {
  if (counts === undefined) return '—';
  // canceled: streams h2load reset when its window closed (see "How it was measured"), not failures.
  const shown = Object.entries(counts).map(([code, n]) => (code === 'ok' || code === 'canceled' ? `${number(n)} ${code}` : `**${number(n)} ${code}**`));
  return shown.join(', ');
}

/** Rows grouped by id, in the order they first ran. */
export function groupRows(rows: readonly Row[]): Row[][] {
  const groups = new Map<string, Row[]>();
  for (const row of rows) groups.set(row.id, [...(groups.get(row.id) ?? []), row]);
  return [...groups.values()];
}

function rowTable(groups: readonly Row[][]): string[] {
  const lines = [
    '| scenario | server | driver | load | req/s | p50 ms | p90 ms | p99 ms | server CPU µs/call | calls in the service log |',
    '|---|---|---|---|--:|--:|--:|--:|--:|---|',
  ];
  for (const group of groups) {
    const first = group[0]!;
    const failed = group.reduce((sum, row) => sum + row.figures.failed, 0);
    const pick = (key: 'reqPerSec' | 'p50Ms' | 'p90Ms' | 'p99Ms') => group.map((row) => row.figures[key]);
    const cpu = group.map((row) => row.serverCpuUsPerCall).filter((value): value is number => value !== undefined);
    const logged = group.reduce<CodeCounts | undefined>((sum, row) => {
      if (row.calls === undefined) return sum;
      const total = { ...(sum ?? {}) };
      for (const [code, n] of Object.entries(row.calls)) total[code] = (total[code] ?? 0) + n;
      return total;
    }, undefined);
    const besides = group.flatMap((row) => (row.beside === undefined ? [] : [row.beside.figures.reqPerSec]));
    const load = first.beside === undefined ? first.load : `${first.load}; beside it ${first.beside.label}: ${spread(besides, 0)} req/s`;
    lines.push(
      `| ${first.label}${failed > 0 ? ` (**${failed} failed**)` : ''} | ${first.server} | ${first.driver} | ${load} | ${spread(pick('reqPerSec'), 0)} | ${spread(pick('p50Ms'), 2)} | ${spread(pick('p90Ms'), 2)} | ${spread(pick('p99Ms'), 2)} | ${cpu.length === 0 ? '—' : number(median(cpu))} | ${codes(logged)} |`,
    );
  }
  return lines;
}

function ratioTable(ratios: readonly Ratio[]): string[] {
  const lines = ['| ratio | rows | value per round | target | met |', '|---|---|--:|--:|:-:|'];
  for (const ratio of ratios) {
    const values = ratio.values.map((value) => number(value, 2)).join(' / ');
    const met = ratio.met === undefined ? '—' : ratio.met ? 'yes' : '**no**';
    lines.push(`| ${ratio.name} | \`${ratio.formula}\` | ${values} | ${ratio.target} | ${met} |`);
  }
  return lines;
}

function memoryLine(memory: MemoryFigures | undefined): string {
  const idle = 'Idle RSS (target ≤ 100 MB): the "idle after start" figures in the Machine table.';
  if (memory === undefined) return `${idle} RSS after 1 000 000 GetVideo calls: not measured in this run (\`--memory\`).`;
  const met = memory.ratio === undefined ? '—' : memory.ratio <= 1.15 ? 'met' : '**not met**';
  return `${idle} RSS after ${number(memory.allCalls)} GetVideo calls ${number(memory.rssAfterAllCallsMB, 1)} MB / after ${number(memory.firstCalls)} ${number(memory.rssAfterFirstCallsMB, 1)} MB = ${number(memory.ratio, 2)} (target ≤ 1.15: ${met}).`;
}

/** The whole report. */
export function reportMarkdown(report: Report): string {
  const { settings, machine } = report;
  const groups = groupRows(report.rows);
  const main = groups.filter((group) => !group[0]!.id.startsWith('sweep-'));
  const sweep = groups.filter((group) => group[0]!.id.startsWith('sweep-'));
  const data = settings.sqliteData;
  return [
    `# ${report.title}`,
    '',
    ...(report.note === undefined ? [] : [`> **${report.note}**`, '']),
    `${settings.mode === 'quick' ? '`npm run bench -- --quick`' : '`npm run bench`'}: ${settings.rounds} round(s), each run ${settings.warmupSeconds} s warm-up + ${settings.seconds} s timed; started ${report.startedAt}, took ${report.minutes} min.`,
    '',
    '## Machine',
    '',
    '| | |',
    '|---|---|',
    `| CPU | ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGB} GB |`,
    `| OS | ${machine.os} |`,
    `| Node | ${machine.node} |`,
    `| load generator | ${machine.h2load} (h2load, one thread); Node driver and GetItem loop on ${machine.node} |`,
    `| commit | \`${machine.commit}\`${machine.uncommittedChanges ? ' plus uncommitted changes' : ''} |`,
    `| load average (1, 5, 15 min) | at start ${machine.loadAverageAtStart.join(', ')}; at end ${report.loadAverageAtEnd.join(', ')} |`,
    `| data, SQLite | ${number(report.loaded.sqliteVideos)} videos (${data.owners} owners × ${data.videosPerOwner}, one owner with ${number(data.bigOwnerVideos)}, ${data.claimVideos} claim videos), loaded in ${report.loaded.sqliteSeconds} s |`,
    `| data, dynalite | ${number(report.loaded.dynamoVideos)} videos (${settings.dynamoData.owners} owners × ${settings.dynamoData.videosPerOwner}, one owner with ${number(settings.dynamoData.bigOwnerVideos)}), loaded in ${report.loaded.dynamoSeconds} s |`,
    `| videosvc RSS | ${Object.entries(report.rssMB).map(([when, mb]) => `${when}: ${number(mb, 1)} MB`).join('; ')} |`,
    '',
    '## Results',
    '',
    settings.rounds > 1 ? 'Figures are the median of the rounds, with (min–max) where they differ.' : 'One round: no spread.',
    '',
    ...rowTable(main),
    '',
    '## Against the targets of issue 10',
    '',
    ...ratioTable(report.ratios),
    '',
    memoryLine(report.memory),
    '',
    '## Latency–throughput, GetVideo',
    '',
    `![latency–throughput](${report.chartFile})`,
    '',
    `Each point is h2load offering GetVideo at a fixed rate (\`--rps\`), a fraction of the peak measured in the same round; the last point of each curve is the unlimited run (the rows above). h2load's rate timer fires at most every 10 ms per connection and sends what is due in one burst, so the rate is spread over enough connections (at least ${settings.connections}, each with ${settings.streams} streams) that none sends more than 400 req/s: at most 4 requests leave together, not 20 or more. (One request per tick would need so many connections that their own cost moves the point measured.) An achieved rate above the offered one means h2load was catching up on requests that fell due while all streams were busy (the server saturated, e.g. still cold in the warm-up): that point was not at its offered load.`,
    '',
    ...rowTable(sweep),
    '',
    '## How it was measured',
    '',
    '- Every server runs in its own process on 127.0.0.1: videosvc as `node bin/videosvc.mjs serve` (PORT=0, port read from its `listening` line), on SQLite (a temp file, `SQLITE_SYNCHRONOUS` at its default FULL) and on dynalite (its own process; table made by `videosvc dynamo create-table`); a bare @grpc/grpc-js server (proto loaded by @grpc/proto-loader) and a bare connect-node server (connectNodeAdapter on `http2.createServer`, and on `http.createServer` for HTTP/1.1), both answering one constant GetVideoResponse: the same video videosvc returns.',
    '- videosvc runs with its defaults except: `RATE_LIMIT_PER_SECOND=0` (the per-caller limiter is off: one token drives each run and its bucket would cap it), `SHUTDOWN_DELAY_MS=0`, `CLAIM_MAX_ATTEMPTS=100` (see the ClaimVideo cycle below), and `LOG_LEVEL=info` (the default) with stdout to a file: the per-call log line is part of what a call costs. The bench counts the codes in that log for every run ("calls in the service log", warm-up included), because h2load counts a gRPC error (HTTP 200 with a non-zero grpc-status) as a success.',
    '- Before each run one call with exactly the bytes and headers of the run is sent and its answer checked (video id, page length and first id, etag, title).',
    `- h2load: one thread, ${settings.connections} connections × ${settings.streams} concurrent streams (HTTP/1.1: ${settings.http1Connections} connections, one request each), a pre-encoded body (gRPC 5-byte frame + protobuf from src/gen, or Connect JSON), \`authorization: Bearer\` with a real HS256 token minted with the run's random JWT_SECRET. h2load prints only mean/sd/max, so p50/p90/p99 come from its \`--log-file\` (one line per request of the timed window; nearest rank).`,
    '- GetVideo reads one video; BatchGetVideos 50 ids of one owner; ListVideos pages of 50 of the owner with the long list, the first page and the last one (its page token made with the service\'s own codec and secret: what walking the list would return); CreateVideo sends no video_id, so the service mints one per call; UpdateVideo changes the title of one video with no etag.',
    '- The Node driver (bench/drivers/grpc-driver.ts: raw node:http2, the same connections × streams, closed loop) measures what needs a different request per call: the 90/10 mix (GetVideo of a random video of one owner\'s 100, 10 % unconditional UpdateVideo of the title of a random one of them), the claim cycle (each stream owns one UPLOADED video and moves it UPLOADED → TRANSCODING and back, each an etag-conditional UpdateVideo with the etag of the previous answer; both calls counted), the ClaimVideo cycle (32 workers, 4 connections × 8 streams, with an admin token: each worker calls ClaimVideo with a 60 s lease and then gives the video back with an UpdateVideo to UPLOADED carrying the claim\'s etag, so the queue (every UPLOADED video of the data, oldest first) never runs dry; both calls counted; videosvc runs with CLAIM_MAX_ATTEMPTS=100 so the videos it keeps claiming are not failed for their attempts), and a GetVideo row with the same driver, the denominator of the mix ratio.',
    '- "GetVideo while CreateVideo runs": two h2load processes at once, the GetVideo figures shown. The bare GetItem loop (bench/drivers/dynamo-get-item.ts) uses the service\'s own DynamoDB client settings, the same consistent read of the same item, as many requests in flight as the GetVideo run.',
    '- Server CPU µs/call: user + system time of the server process (from /proc) over warm-up and timed window, divided by the calls it answered then (the call log\'s count for videosvc; estimated from the timed window for the others). It moves less with background load than req/s does.',
    '- "canceled" in the service log: calls still in flight when h2load closed its window and reset their streams (up to connections × streams per run), not failures; any other code but ok is shown in bold.',
    '- With `--rps`, h2load measures latency from when a request was sent, not when it was due, so a stalled server is understated at high offered rates (coordinated omission).',
    '',
  ].join('\n');
}
