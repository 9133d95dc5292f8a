// The memory target of issue 10: videosvc's RSS after 1 000 000 GetVideo calls within
// 1.15× its RSS after the first 10 000. Opt-in (`--memory`): at today's throughput the
// million calls take minutes. Runs on the SQLite service after the rounds.
import { h2load } from './drivers/h2load.ts';
import { callHeaders, probe } from './probe.ts';
import { rssMB } from './processes.ts';
import type { BenchSettings } from './settings.ts';
import type { Stand } from './stand.ts';

export interface MemoryFigures {
  readonly rssAfterFirstCallsMB?: number;
  readonly rssAfterAllCallsMB?: number;
  readonly firstCalls: number;
  readonly allCalls: number;
  readonly ratio?: number;
}

/** Sends `firstCalls` GetVideo calls (10 000), reads RSS, sends the rest of `allCalls` (1 000 000), reads RSS again. */
export async function measureMemory(stand: Stand, settings: BenchSettings, firstCalls = 10_000, allCalls = 1_000_000): Promise<MemoryFigures> {
  const server = stand.servers.sqlite;
  const call = stand.calls.getVideo;
  const bearer = stand.bearers.reader;
  await probe('videosvc (SQLite)', server.url, call, bearer);
  const send = (requests: number) =>
    h2load({
      url: server.url,
      path: call.procedure,
      body: call.body,
      headers: callHeaders(call, bearer),
      connections: settings.connections,
      streams: settings.streams,
      warmupSeconds: 0,
      seconds: 0,
      requests,
      scratch: stand.scratch,
    });
  await send(firstCalls);
  const rssAfterFirstCallsMB = rssMB(server.pid);
  await send(allCalls - firstCalls);
  const rssAfterAllCallsMB = rssMB(server.pid);
  const ratio =
    rssAfterFirstCallsMB === undefined || rssAfterAllCallsMB === undefined ? undefined : Math.round((rssAfterAllCallsMB / rssAfterFirstCallsMB) * 1000) / 1000;
  return { rssAfterFirstCallsMB, rssAfterAllCallsMB, firstCalls, allCalls, ratio };
}
