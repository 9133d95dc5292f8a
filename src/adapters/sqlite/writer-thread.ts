// The SQLite writer thread: its own connection to the file, and every create, update and
// delete of the store run here, so neither a commit's fsync nor a wait for another
// process's lock ever runs on the service's event loop.
//
// Requests are queued and drained in arrival order as groups: every request that arrived
// while the previous group's commit ran shares the next transaction and its one fsync
// (group commit, write-executor.ts), and the whole group is answered in one message once
// that commit returned.
//
// Why a worker thread and not the main thread in batches, measured with
// bench/sqlite-writer-placement.ts (64 creates in flight, synchronous FULL, a real file on
// ext4; a 2-core VM shared with other work, so the figures are rough):
// - throughput: grouped on the main thread 9.3–24.1 k writes/s, grouped here 6.5–14.7 k
//   (the main thread saves the message round trip); ungrouped 0.2–0.6 k and 0.8–1.1 k;
// - another process holding the lock for 1 s: the main thread's event loop stalled
//   1 016–1 048 ms (every other call waited that long); here the longest stall was
//   88–140 ms, no more than without a lock (72–108 ms: the machine's other load);
// - a read beside the write load: p99 7.5–18.7 ms with the writer on the main thread,
//   5.8–7.8 ms with it here; main-thread time per write 48–107 µs there, 38 µs here.
// Either placement reaches the throughput the service needs (creates at 0.35× GetVideo);
// only this one keeps the event loop free of lock waits and of a slow disk's fsync.
import { parentPort, workerData } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import { connect } from './connection.ts';
import { stillSameFile } from './file-identity.ts';
import { WriteExecutor } from './write-executor.ts';
import type { WriteRequest, WriterMessage, WriterStartMessage, WriterThreadData } from './writer-protocol.ts';

const port = parentPort!;
const data = workerData as WriterThreadData;

/**
 * The most writes one commit holds: enough to share an fsync among every in-flight call
 * of a busy service, small enough that one group's commit (and so the wait of its first
 * caller) stays a few milliseconds of statements plus one fsync.
 */
const maxGroupSize = data.maxGroupSize ?? 256;

function open(): { connection: BetterSqlite3.Database; executor: WriteExecutor } {
  const connection = connect({ path: data.path, synchronous: data.synchronous, busyTimeoutMs: data.maxBusyMs });
  connection.defaultSafeIntegers(true);
  // Compared with the identity the store saw at open, not with whatever is there now: a
  // worker restarted after a crash must not start writing into a file swapped in since.
  if (!stillSameFile(data.path, data.identity)) {
    connection.close();
    throw new Error(`database file ${data.path} was deleted or replaced since it was opened`);
  }
  return { connection, executor: new WriteExecutor(connection, { path: data.path, identity: data.identity }, data.maxBusyMs) };
}

let opened: ReturnType<typeof open>;
try {
  opened = open();
  port.postMessage({ ready: true } satisfies WriterStartMessage);
} catch (error) {
  port.postMessage({ ready: false, message: (error as Error).message } satisfies WriterStartMessage);
  // Ends this thread only; the store turns the message into SqliteOpenError.
  process.exit(1);
}

const queue: WriteRequest[] = [];
let draining = false;

function drain(): void {
  draining = false;
  const group = queue.splice(0, maxGroupSize);
  // More than one group's worth waiting: the rest goes next, after the messages that
  // arrived meanwhile have been queued behind it.
  if (queue.length > 0) schedule();
  if (group.length > 0) port.postMessage(opened.executor.executeGroup(group));
}

function schedule(): void {
  if (draining) return;
  draining = true;
  setImmediate(drain);
}

port.on('message', (message: WriterMessage) => {
  if ('close' in message) {
    while (queue.length > 0) port.postMessage(opened.executor.executeGroup(queue.splice(0, maxGroupSize)));
    // The last connection to close checkpoints the WAL into the database file, here,
    // off the main thread.
    opened.connection.close();
    port.close();
    return;
  }
  queue.push(...message.requests);
  schedule();
});
