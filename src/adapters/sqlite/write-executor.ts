// Runs one write request on the writer's connection: the deadline and file checks, the
// lock wait bounded by the deadline, and the statement with its refusal read in one
// BEGIN IMMEDIATE transaction. The same code serves the worker thread (file databases)
// and the main thread (:memory:), so both answer alike.
import type BetterSqlite3 from 'better-sqlite3';
import { stillSameFile, type FileIdentity } from './file-identity.ts';
import { commitProbe } from './write-probe.ts';
import type { CompiledStatement, WriteFailure, WriteOutcome, WriteProgram, WriteReply, WriteRequest } from './writer-protocol.ts';

// Statement texts vary only with the update mask, so the cache stays small; the cap
// only guards against a surprise, and clearing it costs one prepare per statement.
const maxCachedStatements = 256;

/** Executes write requests on one connection, preparing each statement text once. */
export class WriteExecutor {
  readonly #connection: BetterSqlite3.Database;
  readonly #file: { readonly path: string; readonly identity: FileIdentity } | undefined;
  readonly #maxBusyMs: number;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();
  readonly #transaction: BetterSqlite3.Transaction<(program: WriteProgram) => WriteOutcome>;

  /** `file` is the path and the identity seen at open; undefined for :memory:. */
  constructor(
    connection: BetterSqlite3.Database,
    file: { readonly path: string; readonly identity: FileIdentity } | undefined,
    maxBusyMs: number,
  ) {
    this.#connection = connection;
    this.#file = file;
    this.#maxBusyMs = maxBusyMs;
    this.#transaction = connection.transaction((program: WriteProgram) => this.#apply(program));
  }

  /** Runs the request unless its deadline has passed or the file was replaced; never throws. */
  execute(request: WriteRequest): WriteReply {
    const left = request.deadline - Date.now();
    if (left <= 0) return failed(request, { reason: 'expired', message: 'the write waited past its deadline' });
    if (this.#file !== undefined && !stillSameFile(this.#file.path, this.#file.identity)) {
      const message = `database file ${this.#file.path} was deleted or replaced since it was opened; restart videosvc`;
      return failed(request, { reason: 'replaced', message });
    }
    // busy_timeout bounds only the wait for another connection's lock: never past the
    // deadline, so a lock held elsewhere ends this request by then with SQLITE_BUSY.
    const busyMs = Math.max(0, Math.min(this.#maxBusyMs, Math.floor(left)));
    try {
      this.#connection.pragma(`busy_timeout = ${busyMs}`);
      if (request.program.kind === 'probe') {
        commitProbe(this.#connection);
        return { id: request.id, ok: true, outcome: { rows: [], changes: 1 } };
      }
      return { id: request.id, ok: true, outcome: this.#transaction.immediate(request.program) };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return failed(request, {
        reason: 'sqlite',
        code: typeof code === 'string' ? code : undefined,
        message: (error as Error).message,
      });
    }
  }

  // Inside the transaction: the write, then, only if it did nothing, the read that says why.
  #apply(program: WriteProgram): WriteOutcome {
    if (program.kind !== 'statement') throw new Error('a probe is not a statement');
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

function failed(request: WriteRequest, failure: WriteFailure): WriteReply {
  return { id: request.id, ok: false, failure };
}
