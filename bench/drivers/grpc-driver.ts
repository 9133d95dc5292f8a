// The Node load driver, for workloads whose request changes from call to call (h2load
// sends one body for all). A process of its own: raw node:http2 sessions, a fixed
// number of concurrent streams per session, each stream slot sending its next call as
// soon as the previous one ended (closed loop, as h2load), a warm-up, then a timed
// window. Reports the same figures as the h2load runner, as one JSON line on stdout.
//
//   BENCH_OPTIONS='<json DriverOptions>' node --import tsx bench/drivers/grpc-driver.ts
import http2 from 'node:http2';
import { summarise } from '../latency.ts';
import { workload, type Call, type WorkloadSpec } from './workloads.ts';

/** What the driver process is told. */
export interface DriverOptions {
  readonly url: string;
  readonly bearer: string;
  readonly connections: number;
  readonly streams: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly workload: WorkloadSpec;
}

interface Outcome {
  readonly ok: boolean;
  readonly status: string;
  readonly body?: Buffer;
}

function send(session: http2.ClientHttp2Session, bearer: string, call: Call): Promise<Outcome> {
  return new Promise((resolve) => {
    const stream = session.request({
      ':method': 'POST',
      ':path': call.path,
      'content-type': 'application/grpc',
      te: 'trailers',
      authorization: bearer,
    });
    const chunks: Buffer[] = [];
    let status: string | undefined;
    const note = (headers: http2.IncomingHttpHeaders) => {
      status ??= headers['grpc-status'] as string | undefined;
    };
    stream.on('response', note);
    stream.on('trailers', note);
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', () => {
      status ??= 'transport error';
    });
    stream.on('close', () => {
      const ok = status === '0';
      resolve({ ok, status: status ?? 'no status', body: ok ? Buffer.concat(chunks) : undefined });
    });
    stream.end(call.body);
  });
}

function connect(url: string): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    session.once('connect', () => resolve(session));
    session.once('error', reject);
  });
}

async function run(options: DriverOptions): Promise<void> {
  const sessions = await Promise.all(Array.from({ length: options.connections }, () => connect(options.url)));
  const slots = options.connections * options.streams;
  const sessionOf = (slot: number) => sessions[slot % sessions.length]!;
  const work = workload(options.workload);
  await work.prepare?.(async (slot, call) => (await send(sessionOf(slot), options.bearer, call)).body, slots);

  const latenciesUs: number[] = [];
  const failures: Record<string, number> = {};
  const warmupEndsNs = process.hrtime.bigint() + BigInt(Math.round(options.warmupSeconds * 1e9));
  const endsNs = warmupEndsNs + BigInt(Math.round(options.seconds * 1e9));

  const loop = async (slot: number) => {
    for (;;) {
      const startedNs = process.hrtime.bigint();
      if (startedNs >= endsNs) return;
      const outcome = await send(sessionOf(slot), options.bearer, work.next(slot));
      work.answered?.(slot, outcome.body);
      const endedNs = process.hrtime.bigint();
      // As h2load: the requests that started inside the timed window and ended before its end.
      if (startedNs < warmupEndsNs || endedNs > endsNs) continue;
      if (outcome.ok) latenciesUs.push(Number(endedNs - startedNs) / 1e3);
      else failures[outcome.status] = (failures[outcome.status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: slots }, (_, slot) => loop(slot)));
  for (const session of sessions) session.close();

  const failed = Object.values(failures).reduce((sum, n) => sum + n, 0);
  const figures = summarise(Float64Array.from(latenciesUs), options.seconds, failed);
  process.stdout.write(`${JSON.stringify({ ...figures, failures })}\n`);
}

run(JSON.parse(process.env.BENCH_OPTIONS ?? '{}') as DriverOptions).catch((error: unknown) => {
  process.stderr.write(`grpc-driver: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
