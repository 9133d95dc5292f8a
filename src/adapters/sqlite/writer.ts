// The store's writer, seen from the main thread: send a write, get its outcome by the
// deadline. File databases write on a worker thread with a connection of its own;
// :memory: writes on the main thread's connection (see InlineWriter).
import { Worker } from 'node:worker_threads';
import { StoreUnavailable } from '../../domain/errors.ts';
import { toDomainError } from './errors.ts';
import type { WriteExecutor } from './write-executor.ts';
import type {
  GroupReply,
  WriteOutcome,
  WriteProgram,
  WriteReply,
  WriteRequest,
  WriterMessage,
  WriterStartMessage,
  WriterThreadData,
} from './writer-protocol.ts';

/** Runs writes off the caller's hands and says when one last proved the file writable. */
export interface Writer {
  /** Resolves once the write's transaction committed; rejects with a domain error (StoreUnavailable by `deadline`). */
  write(program: WriteProgram, deadline?: number): Promise<WriteOutcome>;
  /** Epoch ms of the last commit that changed the file; 0 before the first and after any failed write. */
  readonly lastCommitAt: number;
  /** How many commits changed the file so far: with group commit, fewer than the writes they hold. */
  readonly commits: number;
  close(): Promise<void>;
}

/** How long a worker may take to open the file before the store gives up. */
const workerStartTimeoutMs = 30_000;
/** How long close() lets the worker finish its queue and checkpoint before ending it. */
const closeTimeoutMs = 10_000;

// A request with no deadline (the CLI, tests) still has a bound on its lock wait (the
// worker's maxBusyMs); it is sent with this far-off deadline so the worker never skips it.
const noDeadline = Number.MAX_SAFE_INTEGER;

/** The driver error the worker described, rebuilt so toDomainError can classify it. */
function replyError(reply: Extract<WriteReply, { ok: false }>): Error {
  const { failure } = reply;
  if (failure.reason !== 'sqlite') return new StoreUnavailable(failure.message);
  return toDomainError(Object.assign(new Error(failure.message), { code: failure.code }));
}

/**
 * :memory: cannot be shared with a worker (each connection has its own private
 * database), so its writes run on the main thread's single connection, through the same
 * executor as the worker's. Nothing there can block: no other process can hold its lock
 * and nothing is fsynced.
 */
export class InlineWriter implements Writer {
  lastCommitAt = 0;
  commits = 0;
  readonly #executor: WriteExecutor;

  constructor(executor: WriteExecutor) {
    this.#executor = executor;
  }

  async write(program: WriteProgram, deadline = noDeadline): Promise<WriteOutcome> {
    const reply = this.#executor.execute({ id: 0, deadline, program });
    if (!reply.ok) {
      this.lastCommitAt = 0;
      throw replyError(reply);
    }
    if (reply.outcome.changes > 0) {
      this.lastCommitAt = Date.now();
      this.commits += 1;
    }
    return reply.outcome;
  }

  async close(): Promise<void> {}
}

interface Pending {
  resolve(outcome: WriteOutcome): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
}

/**
 * Writes on a worker thread. A write is answered only after the commit of its group
 * returned in the worker (so it is as durable as the synchronous setting makes it), or with
 * StoreUnavailable at its deadline; a write answered so may still commit afterwards,
 * the usual meaning of a timeout. If the worker dies, its pending writes fail
 * StoreUnavailable and the next write starts a new one.
 */
export class ThreadWriter implements Writer {
  lastCommitAt = 0;
  commits = 0;
  readonly #data: WriterThreadData;
  readonly #pending = new Map<number, Pending>();
  #outbox: WriteRequest[] = [];
  #nextId = 1;
  #worker: Promise<Worker> | undefined;
  #closed = false;

  private constructor(data: WriterThreadData) {
    this.#data = data;
  }

  /** Starts the worker and waits until it has opened the file; rejects with its reason otherwise. */
  static async start(data: WriterThreadData): Promise<ThreadWriter> {
    const writer = new ThreadWriter(data);
    await writer.#started();
    return writer;
  }

  write(program: WriteProgram, deadline = noDeadline): Promise<WriteOutcome> {
    if (this.#closed) return Promise.reject(new StoreUnavailable('the video store is closed'));
    return new Promise<WriteOutcome>((resolve, reject) => {
      const id = this.#nextId++;
      const pending: Pending = { resolve, reject };
      if (deadline !== noDeadline) {
        pending.timer = setTimeout(() => this.#expire(id), Math.max(0, deadline - Date.now()) + 1);
      }
      this.#pending.set(id, pending);
      if (this.#outbox.push({ id, deadline, program }) === 1) queueMicrotask(() => this.#flush());
    });
  }

  // Every write issued in the same run of the event loop travels in one message, so the
  // writer thread finds them together and commits them in one group; one message also
  // costs the main thread less than one per write.
  #flush(): void {
    const requests = this.#outbox;
    if (requests.length === 0) return;
    this.#outbox = [];
    this.#started().then(
      (worker) => {
        worker.ref();
        worker.postMessage({ requests } satisfies WriterMessage);
      },
      (error: Error) => {
        for (const { id } of requests) {
          this.#settle(id, (entry) => entry.reject(new StoreUnavailable(error.message, { cause: error })));
        }
      },
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Writes issued before close() still go to this worker, ahead of the order to close.
    if (this.#outbox.length > 0) this.#flush();
    const starting = this.#worker;
    this.#worker = undefined;
    const worker = await starting?.catch(() => undefined);
    if (worker === undefined) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.ref();
    worker.postMessage({ close: true } satisfies WriterMessage);
    // A worker stuck in the file system (a hung fsync) must not hold shutdown forever;
    // what it had not committed is lost as in any crash, and SQLite recovers the WAL.
    const stuck = setTimeout(() => void worker.terminate(), closeTimeoutMs);
    await exited;
    clearTimeout(stuck);
  }

  // The running worker, started on first use and again after a crash.
  #started(): Promise<Worker> {
    this.#worker ??= this.#spawn();
    return this.#worker;
  }

  #spawn(): Promise<Worker> {
    const worker = new Worker(new URL('./writer-worker.mjs', import.meta.url), { workerData: this.#data });
    const starting = new Promise<Worker>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`the writer thread did not open ${this.#data.path} within ${workerStartTimeoutMs} ms`));
        void worker.terminate();
      }, workerStartTimeoutMs);
      worker.once('message', (message: WriterStartMessage) => {
        clearTimeout(timer);
        if (message.ready) resolve(worker);
        else reject(new Error(message.message));
      });
      worker.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      worker.once('exit', () => {
        clearTimeout(timer);
        reject(new Error(`the writer thread for ${this.#data.path} stopped while opening it`));
      });
    });
    starting.then(
      () => {
        worker.on('message', (group: GroupReply) => this.#answer(group));
        // An uncaught error ends the worker; 'exit' below fails what it had pending.
        worker.on('error', () => undefined);
        worker.once('exit', () => this.#lost(worker, starting));
        if (this.#pending.size === 0) worker.unref();
      },
      () => {
        if (this.#worker === starting) this.#worker = undefined;
      },
    );
    return starting;
  }

  // A group's commit returned (or the group failed): every write in it is answered now.
  #answer(group: GroupReply): void {
    if (group.wrote) {
      this.lastCommitAt = Date.now();
      this.commits += 1;
    } else if (group.replies.some((reply) => !reply.ok)) {
      // A failed write (a lock, a full disk) withdraws the proof of writability an earlier
      // commit gave, so readiness probes at once instead of trusting that commit.
      this.lastCommitAt = 0;
    }
    for (const reply of group.replies) {
      this.#settle(reply.id, (entry) => (reply.ok ? entry.resolve(reply.outcome) : entry.reject(replyError(reply))));
    }
  }

  #expire(id: number): void {
    this.#settle(id, (entry) => entry.reject(new StoreUnavailable('the video store did not write in time; retry later')));
  }

  // The worker ended (a crash, or close()): what it had not answered fails, retryably.
  #lost(worker: Worker, starting: Promise<Worker>): void {
    if (this.#worker === starting) this.#worker = undefined;
    for (const id of [...this.#pending.keys()]) {
      this.#settle(id, (entry) => entry.reject(new StoreUnavailable('the video store writer stopped; retry later')));
    }
    worker.removeAllListeners('message');
  }

  #settle(id: number, finish: (entry: Pending) => void): void {
    const entry = this.#pending.get(id);
    if (entry === undefined) return;
    this.#pending.delete(id);
    clearTimeout(entry.timer);
    finish(entry);
    // An idle worker must not keep the process alive; a busy one must, until it answers.
    if (this.#pending.size === 0) void this.#worker?.then((worker) => worker.unref(), () => undefined);
  }
}
