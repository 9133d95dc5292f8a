// Where should the SQLite writer run? Measures CreateVideo-like write throughput and the
// main thread's event-loop stall for each candidate, on a real file with the durable
// default (synchronous FULL), with `--concurrency` creates in flight from the main thread:
//
// - thread-group:  the store's writer thread with group commit (what ships);
// - thread-single: the same thread, one transaction per write (group size 1: issue 9);
// - main-group:    the main thread's own connection, writes batched per event-loop turn
//                  (setImmediate) and committed as one group — same executor, same SQL;
// - main-single:   the main thread, one transaction per write (before issue 9).
//
// Each option also runs a GetVideo-like read every millisecond beside the writes and
// reports its p99, which is what a write load does to other calls. With `--lock-ms N`,
// another process holds the write lock for N ms one second into the run (a backup, a
// migration, a second service on the file): the main-thread options wait for it on the
// event loop, which the longest loop delay shows.
//
//   npx tsx bench/sqlite-writer-placement.ts [--seconds 5] [--concurrency 64] [--lock-ms 0] [--only thread-group,main-group]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { identityOf } from '../src/adapters/sqlite/file-identity.ts';
import { openDatabase } from '../src/adapters/sqlite/open.ts';
import { ReadStatements } from '../src/adapters/sqlite/read-statements.ts';
import { fromRow } from '../src/adapters/sqlite/row.ts';
import type { VideoRow } from '../src/adapters/sqlite/schema.ts';
import { WriteExecutor } from '../src/adapters/sqlite/write-executor.ts';
import { WriteStatements } from '../src/adapters/sqlite/write-statements.ts';
import { ThreadWriter, type Writer } from '../src/adapters/sqlite/writer.ts';
import type { WriteOutcome, WriteProgram, WriteRequest } from '../src/adapters/sqlite/writer-protocol.ts';
import { startSqliteChild } from '../test/support/sqlite-processes.ts';
import { sampleVideo } from '../test/support/videos.ts';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '64' },
    only: { type: 'string' },
    'lock-ms': { type: 'string', default: '0' },
  },
});
const seconds = Number(args.seconds);
const concurrency = Number(args.concurrency);
const lockMs = Number(args['lock-ms']);

/** The main-thread candidate: queue writes, run each event-loop turn's batch as one group. */
class MainThreadWriter implements Writer {
  lastCommitAt = 0;
  commits = 0;
  readonly #executor: WriteExecutor;
  readonly #group: boolean;
  #queue: Array<{ request: WriteRequest; resolve(outcome: WriteOutcome): void; reject(error: Error): void }> = [];
  #scheduled = false;
  #nextId = 1;

  constructor(executor: WriteExecutor, group: boolean) {
    this.#executor = executor;
    this.#group = group;
  }

  write(program: WriteProgram, deadline = Number.MAX_SAFE_INTEGER): Promise<WriteOutcome> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ request: { id: this.#nextId++, deadline, program }, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#drain());
      }
    });
  }

  #drain(): void {
    this.#scheduled = false;
    const batch = this.#queue.splice(0, this.#group ? 256 : 1);
    if (this.#queue.length > 0) {
      this.#scheduled = true;
      setImmediate(() => this.#drain());
    }
    const { wrote, replies } = this.#executor.executeGroup(batch.map((entry) => entry.request));
    if (wrote) this.commits += 1;
    replies.forEach((reply, index) => {
      if (reply.ok) batch[index]!.resolve(reply.outcome);
      else batch[index]!.reject(new Error(reply.failure.message));
    });
  }

  async close(): Promise<void> {}
}

interface Result {
  readonly option: string;
  readonly writesPerSecond: number;
  readonly writesPerCommit: number;
  /** Main-thread busy time per write (event-loop utilisation): what a write takes from every other call. */
  readonly mainUsPerWrite: number;
  readonly loopDelayP50Ms: number;
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  readonly readP99Ms: number;
  readonly reads: number;
}

const ms = (ns: number): number => Number((ns / 1e6).toFixed(2));

async function measure(option: string): Promise<Result> {
  const directory = mkdtempSync(join(tmpdir(), 'videosvc-bench-placement-'));
  const path = join(directory, 'videos.sqlite');
  const { connection, db } = await openDatabase({ path, synchronous: 'FULL' });
  let writer: Writer;
  if (option.startsWith('thread')) {
    writer = await ThreadWriter.start({
      path,
      identity: identityOf(path)!,
      synchronous: 'FULL',
      maxBusyMs: 5_000,
      maxGroupSize: option === 'thread-group' ? 256 : 1,
    });
  } else {
    writer = new MainThreadWriter(new WriteExecutor(connection, undefined, 5_000), option === 'main-group');
  }
  const writes = new WriteStatements(db);
  const reads = new ReadStatements(connection, db);
  const seed = sampleVideo();
  await writer.write({ kind: 'statement', statement: writes.create(seed) });

  const delay = monitorEventLoopDelay({ resolution: 1 });
  const readMs: number[] = [];
  const readTimer = setInterval(() => {
    const started = performance.now();
    const row = reads.get(seed);
    if (row !== undefined) fromRow(row);
    readMs.push(performance.now() - started);
  }, 1);
  // A read's latency as a caller sees it: queued behind whatever holds the loop.
  let lastTick = performance.now();
  const tickTimer = setInterval(() => {
    const now = performance.now();
    readMs.push(Math.max(0, now - lastTick - 1));
    lastTick = now;
  }, 1);

  let done = 0;
  let running = true;
  const commitsBefore = writer.commits;
  const started = performance.now();
  const utilisation = performance.eventLoopUtilization();
  delay.enable();
  const caller = async (): Promise<void> => {
    while (running) {
      const outcome = await writer.write({ kind: 'statement', statement: writes.create(sampleVideo()) }, Date.now() + 10_000);
      fromRow(outcome.rows[0] as VideoRow);
      done += 1;
    }
  };
  const callers = Array.from({ length: concurrency }, caller);
  const holder = new Promise<unknown>((resolve) =>
    setTimeout(() => resolve(lockMs > 0 ? startSqliteChild('hold-lock', path, String(lockMs)).done : undefined), 1_000),
  );
  await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
  await holder;
  running = false;
  await Promise.all(callers);
  const elapsed = (performance.now() - started) / 1_000;
  const busy = performance.eventLoopUtilization(utilisation);
  delay.disable();
  clearInterval(readTimer);
  clearInterval(tickTimer);
  const commits = writer.commits - commitsBefore;
  await writer.close();
  await db.destroy();
  rmSync(directory, { recursive: true, force: true });
  readMs.sort((a, b) => a - b);
  return {
    option,
    writesPerSecond: Math.round(done / elapsed),
    writesPerCommit: Number((done / Math.max(1, commits)).toFixed(1)),
    mainUsPerWrite: Number(((busy.active * 1_000) / done).toFixed(1)),
    loopDelayP50Ms: ms(delay.percentile(50)),
    loopDelayP99Ms: ms(delay.percentile(99)),
    loopDelayMaxMs: ms(delay.max),
    readP99Ms: Number(readMs[Math.floor(readMs.length * 0.99)]!.toFixed(2)),
    reads: readMs.length,
  };
}

const options = args.only?.split(',') ?? ['thread-group', 'main-group', 'thread-single', 'main-single'];
const results: Result[] = [];
for (const option of options) results.push(await measure(option));
console.table(results);
console.log(JSON.stringify({ node: process.version, seconds, concurrency, results }));
