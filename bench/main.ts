// `npm run bench [-- --quick]`: starts everything on loopback, loads the data, runs every
// scenario for each round, then writes bench/results/<time>.md, .json and .svg and
// prints the tables. See README "Benchmark" and settings.ts for the options.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { h2loadVersion } from './drivers/h2load.ts';
import { measureMemory, type MemoryFigures } from './memory.ts';
import { killAll, rssMB } from './processes.ts';
import { latencyThroughputSvg, type Curve } from './report/chart.ts';
import { describeMachine } from './report/machine.ts';
import { reportMarkdown, type Report } from './report/markdown.ts';
import { computeRatios } from './report/ratios.ts';
import type { Row } from './row.ts';
import { runScenario, scenarios } from './scenarios.ts';
import { sweepScenario, sweepServers } from './sweep.ts';
import { parseSettings } from './settings.ts';
import { setUp, type Stand } from './stand.ts';

// As bin/videosvc.mjs: the pinned AWS SDK's multi-line notice about future Node versions.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const say = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function runRounds(stand: Stand, settings: ReturnType<typeof parseSettings>): Promise<Row[]> {
  const rows: Row[] = [];
  for (let round = 1; round <= settings.rounds; round++) {
    const context = { stand, settings, round };
    for (const scenario of scenarios(settings)) {
      if (settings.only !== undefined && !settings.only.has(scenario.id)) continue;
      say(`round ${round}/${settings.rounds}: ${scenario.id}`);
      const row = await runScenario(scenario, context);
      rows.push(row);
      say(`  ${row.figures.reqPerSec} req/s, p50 ${row.figures.p50Ms} ms, p99 ${row.figures.p99Ms} ms${row.figures.failed ? `, ${row.figures.failed} failed` : ''}`);
    }
    for (const { server, peakId } of sweepServers) {
      const peak = rows.find((row) => row.id === peakId && row.round === round);
      if (peak === undefined) continue;
      for (const fraction of settings.sweepFractions) {
        const scenario = sweepScenario(server, fraction, peak.figures.reqPerSec, settings);
        say(`round ${round}/${settings.rounds}: ${scenario.id}`);
        const row = await runScenario(scenario, context);
        rows.push(row);
        say(`  ${row.figures.reqPerSec} req/s, p50 ${row.figures.p50Ms} ms, p99 ${row.figures.p99Ms} ms`);
      }
    }
  }
  return rows;
}

function curves(rows: readonly Row[]): Curve[] {
  const labels: Record<string, string> = { sqlite: 'videosvc (SQLite)', grpcJs: 'bare grpc-js', connect: 'bare connect-node' };
  return sweepServers.map(({ server, peakId }) => {
    const ids = new Set([peakId, ...rows.filter((row) => row.id.startsWith(`sweep-${server}-`)).map((row) => row.id)]);
    // Median over rounds of each point, so two rounds draw one curve.
    const points = [...ids].map((id) => {
      const same = rows.filter((row) => row.id === id).map((row) => row.figures);
      const mid = (values: number[]) => values.sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
      return { reqPerSec: mid(same.map((f) => f.reqPerSec)), p50Ms: mid(same.map((f) => f.p50Ms)), p99Ms: mid(same.map((f) => f.p99Ms)) };
    });
    return { label: labels[server] ?? server, points };
  });
}

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2));
  const known = scenarios(settings).map((scenario) => scenario.id);
  const unknown = [...(settings.only ?? [])].filter((id) => !known.includes(id));
  if (unknown.length > 0) throw new Error(`--only: no scenario ${unknown.join(', ')}; the ids are ${known.join(', ')}`);
  const machine = describeMachine(h2loadVersion());
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
  say(`${settings.mode} run, ${settings.rounds} round(s); report to ${settings.outDirectory}/${stamp}.md`);

  const stand = await setUp(settings, say);
  let rows: Row[];
  let rssAfter: { sqlite?: number; dynamo?: number };
  let memory: MemoryFigures | undefined;
  try {
    rows = await runRounds(stand, settings);
    rssAfter = { sqlite: rssMB(stand.servers.sqlite.pid), dynamo: rssMB(stand.servers.dynamo.pid) };
    if (settings.memory) {
      say('memory: 1 000 000 GetVideo calls on videosvc (SQLite)');
      memory = await measureMemory(stand, settings);
    }
  } finally {
    await stand.stop();
  }

  const chartFile = `${stamp}.svg`;
  const report: Report = {
    title: `videosvc bench, ${startedAt.toISOString()}${settings.mode === 'quick' ? ' (quick)' : ''}`,
    startedAt: startedAt.toISOString(),
    minutes: Math.round((Date.now() - startedAt.getTime()) / 6000) / 10,
    note: settings.note,
    settings,
    machine,
    loadAverageAtEnd: os.loadavg().map((load) => Math.round(load * 100) / 100),
    loaded: stand.loaded,
    rssMB: {
      'SQLite, idle after start': stand.idleRssMB.sqlite,
      'SQLite, after every run': rssAfter.sqlite,
      'dynalite, idle after start': stand.idleRssMB.dynamo,
      'dynalite, after every run': rssAfter.dynamo,
    },
    rows,
    ratios: computeRatios(rows, settings.rounds),
    memory,
    chartFile,
  };
  const markdown = reportMarkdown(report);
  mkdirSync(settings.outDirectory, { recursive: true });
  writeFileSync(join(settings.outDirectory, `${stamp}.md`), markdown);
  writeFileSync(join(settings.outDirectory, `${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(
    join(settings.outDirectory, chartFile),
    latencyThroughputSvg('GetVideo: latency against throughput', `${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, ${startedAt.toISOString()}`, curves(rows)),
  );
  process.stdout.write(markdown);
  say(`wrote ${settings.outDirectory}/${stamp}.md, .json and .svg in ${report.minutes} min`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}
main().catch((error: unknown) => {
  killAll();
  process.stderr.write(`bench: ${(error as Error).message ?? String(error)}\n`);
  process.exit(1);
});
