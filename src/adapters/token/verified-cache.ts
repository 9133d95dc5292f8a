// A bounded LRU of verified tokens → principals. An entry is never used after the
// token's exp (+ the same clock tolerance jose applies), so caching never extends a
// token's life beyond what a fresh verification would allow.
import type { Principal } from '../../app/principal.ts';

interface Entry {
  readonly principal: Principal;
  /** Last instant (ms) at which jose would still accept the token. */
  readonly usableUntilMs: number;
}

/** Verified principals keyed by token text, least recently used evicted first. */
export class VerifiedTokenCache {
  // A Map iterates in insertion order; re-inserting on a hit makes it an LRU.
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly capacity: number,
    private readonly toleranceSeconds: number,
    private readonly now: () => number,
  ) {}

  /** The principal cached for `token`, if it is still within its exp. */
  get(token: string): Principal | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    this.#entries.delete(token);
    if (this.now() >= entry.usableUntilMs) return undefined;
    this.#entries.set(token, entry);
    return entry.principal;
  }

  /** Remembers a verified token until its `exp` (seconds since the epoch) plus tolerance. */
  set(token: string, principal: Principal, expSeconds: number): void {
    if (this.capacity <= 0) return;
    this.#entries.delete(token);
    while (this.#entries.size >= this.capacity) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
    // jose refuses once now - tolerance >= exp, i.e. accepts while now < exp + tolerance.
    this.#entries.set(token, { principal, usableUntilMs: (expSeconds + this.toleranceSeconds) * 1000 });
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
