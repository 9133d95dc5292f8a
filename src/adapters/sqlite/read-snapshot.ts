// Reads on the main thread's connection share one read transaction while that stays
// linearizable (issue 10). In autocommit mode every read begins and ends its own
// transaction, and in WAL mode that is half of a GetVideo's store read: SQLite takes and
// drops its file and shared-memory locks with fcntl each time (strace: six per read;
// 5–6 µs per read alone, 3 µs when twenty share one transaction).
//
// A snapshot is shared only by reads whose requests were received before it began: a write
// acknowledged to anyone before such a request was sent had committed before the request
// arrived, hence before the snapshot, so the read sees it, whichever process or thread
// wrote it. A read received later ends the snapshot and begins a fresh one. The lean gRPC
// path serves the streams that arrived during one poll of the event loop together, a turn
// later (reset-before-read.ts), so their reads meet in one snapshot. Every snapshot ends by
// the next turn of the event loop at the latest, so the writer's checkpoints are never held
// back for longer than that.
import type BetterSqlite3 from 'better-sqlite3';

export class ReadSnapshot {
  readonly #connection: BetterSqlite3.Database;
  readonly #begin: BetterSqlite3.Statement;
  readonly #commit: BetterSqlite3.Statement;
  /** process.hrtime.bigint() when the open snapshot began; undefined when none is open. */
  #beganNs: bigint | undefined;
  #endScheduled = false;
  readonly #endOnNextTurn = (): void => {
    this.#endScheduled = false;
    this.end();
  };

  constructor(connection: BetterSqlite3.Database) {
    this.#connection = connection;
    this.#begin = connection.prepare('BEGIN');
    this.#commit = connection.prepare('COMMIT');
  }

  /**
   * Call before a read of a request received at `receivedNs` (process.hrtime.bigint()):
   * afterwards the read runs in a snapshot that began after that instant, or, with no
   * `receivedNs`, in a transaction of its own (autocommit).
   */
  enter(receivedNs: bigint | undefined): void {
    const beganNs = this.#beganNs;
    if (beganNs !== undefined) {
      if (receivedNs !== undefined && receivedNs < beganNs) return;
      this.end();
    }
    if (receivedNs === undefined) return;
    // Stamped before BEGIN; SQLite takes the snapshot itself at the first read after it.
    this.#beganNs = process.hrtime.bigint();
    this.#begin.run();
    if (!this.#endScheduled) {
      this.#endScheduled = true;
      setImmediate(this.#endOnNextTurn);
    }
  }

  /** Ends the open snapshot, if any (also after a failed read, and before the connection closes). */
  end(): void {
    if (this.#beganNs === undefined) return;
    this.#beganNs = undefined;
    if (!this.#connection.inTransaction) return;
    try {
      this.#commit.run();
    } catch {
      // A read-only transaction has nothing to lose: make sure it is gone.
      if (this.#connection.inTransaction) this.#connection.exec('ROLLBACK');
    }
  }
}
