// The SQLite writer thread: its own connection to the file, and every create, update and
// delete of the store run here, so neither a commit's fsync nor a wait for another
// process's lock ever runs on the service's event loop.
//
// Requests are queued and drained in arrival order, each in its own transaction today.
// Group commit (issue 10) belongs in drain(): run a whole drained batch in one
// BEGIN IMMEDIATE with a SAVEPOINT per request, commit once, then answer each.
import { parentPort, workerData } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import { connect } from './connection.ts';
import { stillSameFile } from './file-identity.ts';
import { WriteExecutor } from './write-executor.ts';
import type { WriteRequest, WriterStartMessage, WriterThreadData } from './writer-protocol.ts';

const port = parentPort!;
const data = workerData as WriterThreadData;

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
  for (const request of queue.splice(0)) port.postMessage(opened.executor.execute(request));
}

port.on('message', (message: WriteRequest | { close: true }) => {
  if ('close' in message) {
    drain();
    // The last connection to close checkpoints the WAL into the database file, here,
    // off the main thread.
    opened.connection.close();
    port.close();
    return;
  }
  queue.push(message);
  if (!draining) {
    draining = true;
    setImmediate(drain);
  }
});
