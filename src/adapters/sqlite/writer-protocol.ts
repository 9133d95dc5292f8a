// The messages between the store (main thread) and its writer (a worker thread, or the
// main thread itself for :memory:). Plain data only: it crosses a thread boundary by
// structured clone, so domain errors travel as the rows that explain them and are
// rebuilt on the main side (store.ts), never as Error objects.

/** A statement compiled by Kysely on the main side. */
export interface CompiledStatement {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

/**
 * One write, run in its own savepoint of the group's BEGIN IMMEDIATE transaction
 * (write-executor.ts): `statement`, then, if it changed or returned nothing, `refusal`
 * (the read that says why), in the same transaction so the reason matches the row the
 * write saw. `probe` commits a write
 * that changes nothing visible, to prove the file can still be written (readiness).
 */
export type WriteProgram =
  | { readonly kind: 'statement'; readonly statement: CompiledStatement; readonly refusal?: CompiledStatement }
  | ClaimProgram
  | { readonly kind: 'probe' };

/**
 * A claim (queries.ts): `claim` grants the queue's head; when it returns nothing, `failHead`
 * fails the head if its attempts are exhausted, and the claim is tried again, up to
 * `maxFailed` times. The outcome's rows are the claimed row (or none) and `changes` counts
 * every row written, failed ones included.
 */
export interface ClaimProgram {
  readonly kind: 'claim';
  readonly claim: CompiledStatement;
  readonly failHead: CompiledStatement;
  readonly maxFailed: number;
}

export interface WriteRequest {
  readonly id: number;
  /** Epoch ms. The writer waits for a lock only until then and skips the request if it is already past. */
  readonly deadline: number;
  readonly program: WriteProgram;
}

/** What a write did; `refusalRow` is set (null when the row is absent) only when the write was refused. */
export interface WriteOutcome {
  readonly rows: readonly unknown[];
  readonly changes: number;
  readonly refusalRow?: unknown;
}

/**
 * Why a write did not run or failed: `expired` (its deadline passed before it ran),
 * `replaced` (the path no longer names the file the writer opened), or `sqlite` (a
 * driver error, with its SQLite code).
 */
export interface WriteFailure {
  readonly reason: 'expired' | 'replaced' | 'sqlite';
  readonly code?: string;
  readonly message: string;
}

export type WriteReply =
  | { readonly id: number; readonly ok: true; readonly outcome: WriteOutcome }
  | { readonly id: number; readonly ok: false; readonly failure: WriteFailure };

/** From the store to the writer thread: the writes of one event-loop run, or the order to close. */
export type WriterMessage = { readonly requests: readonly WriteRequest[] } | { readonly close: true };

/**
 * The answers to one group of requests, sent once its transaction ended: `wrote` when it
 * committed at least one change (a proof the file is writable), each reply in request order.
 */
export interface GroupReply {
  readonly wrote: boolean;
  readonly replies: readonly WriteReply[];
}

/** What the worker is started with. */
export interface WriterThreadData {
  readonly path: string;
  /** The file the store opened: a (re)started worker writes only while the path still names it. */
  readonly identity: { readonly dev: bigint; readonly ino: bigint };
  readonly synchronous: 'FULL' | 'NORMAL';
  /** The longest a write waits for another process's lock, whatever its deadline. */
  readonly maxBusyMs: number;
  /** The most writes one commit holds (default 256; 1 turns group commit off, for benchmarks). */
  readonly maxGroupSize?: number;
}

/** The worker's first message: ready, or why it could not open the file. */
export type WriterStartMessage = { readonly ready: true } | { readonly ready: false; readonly message: string };
