// Runs write requests on the writer's connection, a group at a time (group commit): one
// BEGIN IMMEDIATE for the whole group, a SAVEPOINT per request, one COMMIT, and only then
// an answer for each. One commit (one fsync with synchronous FULL) serves every write
// that queued while the previous commit ran, so write throughput grows with concurrency
// instead of being one fsync per write. The same code serves the worker thread (file
// databases) and the main thread (:memory:, a group of one), so both answer alike.
//
// What each request gets:
// - Its deadline passed before the group took the lock: skipped, never written (the main
//   thread has answered it StoreUnavailable by then).
// - A driver error in its own statements (a constraint, say): its savepoint is rolled
//   back and only it fails; its neighbours commit.
// - A domain refusal (key taken, stale etag, illegal transition) is no error here: the
//   write changed nothing and its outcome carries the row that says why.
// - The lock wait, the COMMIT or an error that ends the whole transaction (I/O, full
//   disk) fails every request of the group that is not answered otherwise: nothing of
//   the group was written.
//
// The lock wait is bounded by the latest deadline in the group (and maxBusyMs), so one
// request with a short deadline cannot make its neighbours give up early; after the lock
// is taken every request's deadline is checked again, so one that expired during the wait
// is skipped rather than written after its caller was told it failed.
import type BetterSqlite3 from 'better-sqlite3';
import { stillSameFile, type FileIdentity } from './file-identity.ts';
import { probeWrite } from './write-probe.ts';
import type { ClaimProgram, CompiledStatement, GroupReply, WriteFailure, WriteOutcome, WriteProgram, WriteReply, WriteRequest } from './writer-protocol.ts';

// Statement texts vary only with the update mask, so the cache stays small; the cap
// only guards against a surprise, and clearing it costs one prepare per statement.
const maxCachedStatements = 256;

interface Control {
  readonly begin: BetterSqlite3.Statement;
  readonly commit: BetterSqlite3.Statement;
  readonly rollback: BetterSqlite3.Statement;
  readonly savepoint: BetterSqlite3.Statement;
  readonly release: BetterSqlite3.Statement;
  readonly rollbackTo: BetterSqlite3.Statement;
}

/** Executes groups of write requests on one connection, preparing each statement text once. */
export class WriteExecutor {
  readonly #connection: BetterSqlite3.Database;
  readonly #file: { readonly path: string; readonly identity: FileIdentity } | undefined;
  readonly #maxBusyMs: number;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();
  readonly #control: Control;
  #busyMs = -1;

  /** `file` is the path and the identity seen at open; undefined for :memory:. */
  constructor(
    connection: BetterSqlite3.Database,
    file: { readonly path: string; readonly identity: FileIdentity } | undefined,
    maxBusyMs: number,
  ) {
    this.#connection = connection;
    this.#file = file;
    this.#maxBusyMs = maxBusyMs;
    this.#control = {
      begin: connection.prepare('BEGIN IMMEDIATE'),
      commit: connection.prepare('COMMIT'),
      rollback: connection.prepare('ROLLBACK'),
      savepoint: connection.prepare('SAVEPOINT request'),
      release: connection.prepare('RELEASE request'),
      rollbackTo: connection.prepare('ROLLBACK TO request'),
    };
  }

  /** Runs one request as a group of one; never throws. */
  execute(request: WriteRequest): WriteReply {
    return this.executeGroup([request]).replies[0]!;
  }

  /** Runs the requests in one transaction and answers each, in order; never throws. */
  executeGroup(requests: readonly WriteRequest[]): GroupReply {
    const replies: WriteReply[] = new Array(requests.length);
    let live = this.#inTime(requests, replies);
    if (live.length === 0) return { wrote: false, replies };
    if (this.#file !== undefined && !stillSameFile(this.#file.path, this.#file.identity)) {
      const message = `database file ${this.#file.path} was deleted or replaced since it was opened; restart videosvc`;
      for (const index of live) replies[index] = failed(requests[index]!, { reason: 'replaced', message });
      return { wrote: false, replies };
    }
    try {
      this.#setBusyTimeout(Math.max(...live.map((index) => requests[index]!.deadline)) - Date.now());
      this.#control.begin.run();
    } catch (error) {
      for (const index of live) replies[index] = failed(requests[index]!, sqliteFailure(error));
      return { wrote: false, replies };
    }
    live = this.#inTime(live.map((index) => requests[index]!), replies, live);
    const applied: Array<{ index: number; outcome: WriteOutcome }> = [];
    for (let position = 0; position < live.length; position++) {
      const index = live[position]!;
      const request = requests[index]!;
      try {
        this.#control.savepoint.run();
        const outcome = this.#apply(request.program);
        this.#control.release.run();
        applied.push({ index, outcome });
      } catch (error) {
        if (!this.#connection.inTransaction) {
          // SQLite rolled the whole transaction back (an I/O error, a full disk): nothing
          // of this group was written, so no request of it may be acknowledged.
          for (const other of [...applied.map((entry) => entry.index), ...live.slice(position)]) {
            replies[other] = failed(requests[other]!, sqliteFailure(error));
          }
          return { wrote: false, replies };
        }
        replies[index] = failed(request, sqliteFailure(error));
        this.#rollbackRequest();
      }
    }
    try {
      this.#control.commit.run();
    } catch (error) {
      if (this.#connection.inTransaction) this.#rollbackAll();
      for (const { index } of applied) replies[index] = failed(requests[index]!, sqliteFailure(error));
      return { wrote: false, replies };
    }
    let wrote = false;
    for (const { index, outcome } of applied) {
      replies[index] = { id: requests[index]!.id, ok: true, outcome };
      if (outcome.changes > 0) wrote = true;
    }
    return { wrote, replies };
  }

  // The positions (in `requests`, or the given `positions`) still in time; the others are answered expired.
  #inTime(requests: readonly WriteRequest[], replies: WriteReply[], positions?: readonly number[]): number[] {
    const now = Date.now();
    const live: number[] = [];
    requests.forEach((request, i) => {
      const index = positions === undefined ? i : positions[i]!;
      if (request.deadline > now) live.push(index);
      else replies[index] = failed(request, { reason: 'expired', message: 'the write waited past its deadline' });
    });
    return live;
  }

  // busy_timeout bounds only the wait for another connection's lock: never past the
  // group's latest deadline, so a lock held elsewhere ends the group by then with SQLITE_BUSY.
  #setBusyTimeout(leftMs: number): void {
    const busyMs = Math.max(0, Math.min(this.#maxBusyMs, Math.floor(leftMs)));
    if (busyMs === this.#busyMs) return;
    this.#connection.pragma(`busy_timeout = ${busyMs}`);
    this.#busyMs = busyMs;
  }

  #rollbackRequest(): void {
    try {
      this.#control.rollbackTo.run();
      this.#control.release.run();
    } catch {
      // Nothing left to undo: the savepoint went with the failed statement.
    }
  }

  #rollbackAll(): void {
    try {
      this.#control.rollback.run();
    } catch {
      // Already rolled back by SQLite.
    }
  }

  // Inside the request's savepoint: the write, then, only if it did nothing, the read that says why.
  #apply(program: WriteProgram): WriteOutcome {
    if (program.kind === 'probe') {
      probeWrite(this.#connection);
      return { rows: [], changes: 1 };
    }
    if (program.kind === 'claim') return this.#claim(program);
    const statement = this.#prepare(program.statement);
    let rows: unknown[] = [];
    let changes: number;
    if (statement.reader) {
      rows = statement.all(...program.statement.parameters);
      changes = rows.length;
    } else {
      changes = statement.run(...program.statement.parameters).changes;
    }
    if (changes > 0 || program.refusal === undefined) return { rows, changes };
    const refusalRow = this.#prepare(program.refusal).get(...program.refusal.parameters) ?? null;
    return { rows, changes, refusalRow };
  }

  // The head is failed only when the claim found it exhausted; each such row is written in
  // this same savepoint, so a claim and the failures it passed over commit together.
  #claim(program: ClaimProgram): WriteOutcome {
    const claim = this.#prepare(program.claim);
    const failHead = this.#prepare(program.failHead);
    let changes = 0;
    for (let failed = 0; ; failed++) {
      const rows = claim.all(...program.claim.parameters);
      if (rows.length > 0 || failed >= program.maxFailed) return { rows, changes: changes + rows.length };
      const failedRows = failHead.all(...program.failHead.parameters);
      if (failedRows.length === 0) return { rows: [], changes };
      changes += failedRows.length;
    }
  }

  #prepare(compiled: CompiledStatement): BetterSqlite3.Statement {
    let statement = this.#statements.get(compiled.sql);
    if (statement === undefined) {
      if (this.#statements.size >= maxCachedStatements) this.#statements.clear();
      statement = this.#connection.prepare(compiled.sql);
      this.#statements.set(compiled.sql, statement);
    }
    return statement;
  }
}

function sqliteFailure(error: unknown): WriteFailure {
  const code = (error as { code?: unknown }).code;
  return { reason: 'sqlite', code: typeof code === 'string' ? code : undefined, message: (error as Error).message };
}

function failed(request: WriteRequest, failure: WriteFailure): WriteReply {
  return { id: request.id, ok: false, failure };
}
