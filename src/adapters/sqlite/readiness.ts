// Whether the SQLite store can serve writes right now, for /readyz and health: the path
// still names the opened file, and the file can be written (another process's lock, a
// read-only file system or a full disk all say no). Reads keep working meanwhile.
import { stat } from 'node:fs/promises';
import { StoreUnavailable } from '../../domain/errors.ts';
import type { FileIdentity } from './file-identity.ts';
import type { Writer } from './writer.ts';

/** A commit this recent proves the file writable, so readiness need not write a probe. */
const writeProofMs = 1_000;
/** The bound on a probe write when the caller gives no deadline. */
const probeTimeoutMs = 1_000;

/** Checks readiness through the writer; concurrent checks share one probe write. */
export class StoreReadiness {
  readonly #writer: Writer;
  readonly #file: { readonly path: string; readonly identity: FileIdentity } | undefined;
  #probe: Promise<unknown> | undefined;

  /** `file` is the path and the identity seen at open; undefined for :memory:. */
  constructor(writer: Writer, file: { readonly path: string; readonly identity: FileIdentity } | undefined) {
    this.#writer = writer;
    this.#file = file;
  }

  /**
   * Resolves when the store can write: a commit in the last second proves it; otherwise
   * one probe write (write-probe.ts), shared by every concurrent caller so probes never
   * pile up, ending by `deadline` (StoreUnavailable if it cannot).
   */
  async check(deadline: number = Date.now() + probeTimeoutMs): Promise<void> {
    await this.#checkSameFile();
    if (Date.now() - this.#writer.lastCommitAt < writeProofMs) return;
    this.#probe ??= this.#writer.write({ kind: 'probe' }, deadline).finally(() => {
      this.#probe = undefined;
    });
    await this.#probe;
  }

  // The path must still name the file opened (the writer checks this before every write
  // too); stat runs on libuv's pool, so a slow file system does not block the loop.
  async #checkSameFile(): Promise<void> {
    if (this.#file === undefined) return;
    const { path, identity } = this.#file;
    const now = await stat(path, { bigint: true }).catch(() => undefined);
    if (now === undefined || now.dev !== identity.dev || now.ino !== identity.ino) {
      throw new StoreUnavailable(`database file ${path} was deleted or replaced since it was opened; restart videosvc`);
    }
  }
}
