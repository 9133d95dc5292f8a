// A bounded LRU of verified tokens → principals. An entry is never used after the
// token's exp (+ the same clock tolerance jose applies), so caching never extends a
// token's life beyond what a fresh verification would allow.
//
// Bounded by bytes, not by count (issue 9): the bound is on the sum of each entry's
// estimated size, so memory stays within it whatever callers send. Keys are SHA-256
// digests of the token, never the token text: a key costs 32 bytes however long the token
// is, and V8 hashes a very long string by its length alone, so long equal-length tokens
// used as Map keys all collided into one bucket (47 ms per call with 3 000 cached).
import { createHash } from 'node:crypto';
import type { Principal } from '../../app/principal.ts';

interface Entry {
  readonly principal: Principal;
  /** Last instant (ms) at which jose would still accept the token. */
  readonly usableUntilMs: number;
  readonly bytes: number;
}

export interface VerifiedTokenCacheOptions {
  /** The most the entries may add up to, by estimateEntryBytes; 0 turns caching off. */
  readonly maxBytes: number;
  readonly toleranceSeconds: number;
  readonly now: () => number;
}

/** Default byte bound: about 20 000 callers' tokens, a few MiB at most. */
export const defaultCacheMaxBytes = 4 * 1024 * 1024;

// A Map entry with its key string, the Entry and the Principal objects: V8 spends roughly
// this much beyond the characters themselves (measured order of magnitude, rounded up).
const entryOverheadBytes = 200;
const digestBytes = 32;

/** What one cached principal costs, roughly: the digest key, the owner id's characters, the objects. */
export function estimateEntryBytes(principal: Principal): number {
  return entryOverheadBytes + digestBytes + 2 * principal.ownerId.length;
}

/** The cache key of a token: its SHA-256 digest as a 32-character one-byte string. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest().toString('latin1');
}

/** Verified principals keyed by token digest, least recently used evicted first. */
export class VerifiedTokenCache {
  // A Map iterates in insertion order; re-inserting on a hit makes it an LRU.
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;

  constructor(private readonly options: VerifiedTokenCacheOptions) {}

  /** The principal cached for `token`, if it is still within its exp. */
  get(token: string): Principal | undefined {
    const key = tokenDigest(token);
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (this.options.now() >= entry.usableUntilMs) {
      this.#bytes -= entry.bytes;
      return undefined;
    }
    this.#entries.set(key, entry);
    return entry.principal;
  }

  /** Remembers a verified token until its `exp` (seconds since the epoch) plus tolerance. */
  set(token: string, principal: Principal, expSeconds: number): void {
    const bytes = estimateEntryBytes(principal);
    if (bytes > this.options.maxBytes) return;
    const key = tokenDigest(token);
    this.#remove(key);
    while (this.#bytes + bytes > this.options.maxBytes) {
      this.#remove(this.#entries.keys().next().value as string);
    }
    // jose refuses once now - tolerance >= exp, i.e. accepts while now < exp + tolerance.
    const usableUntilMs = (expSeconds + this.options.toleranceSeconds) * 1000;
    this.#entries.set(key, { principal, usableUntilMs, bytes });
    this.#bytes += bytes;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The estimated bytes held now; never above maxBytes. */
  get bytes(): number {
    return this.#bytes;
  }

  #remove(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }
}
