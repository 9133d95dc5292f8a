// A bounded cache of verified tokens → principals, evicting the least recently used first
// (approximately: see VerifiedTokenCache). An entry is never used after the
// token's exp (+ the same clock tolerance jose applies), so caching never extends a
// token's life beyond what a fresh verification would allow.
//
// Bounded by bytes, not by count (issue 9): the bound is on the sum of each entry's
// estimated size, so memory stays within it whatever callers send. A long token is keyed
// by its SHA-256 digest, never its text: V8 hashes a very long string by its length alone,
// so long equal-length tokens used as Map keys all collided into one bucket (47 ms per call
// with 3 000 cached), and the digest costs 32 bytes however long the token is. A token of
// ordinary length (up to 1 KiB; an HS256 JWT with a few claims is 150–400 characters) is
// its own key: hashing it on every call was 3.6 % of a cached GetVideo's CPU (issue 10).
import { createHash } from 'node:crypto';
import type { Principal } from '../../app/principal.ts';

interface Entry {
  readonly principal: Principal;
  /** Last instant (ms) at which jose would still accept the token. */
  readonly usableUntilMs: number;
  readonly bytes: number;
  /** Used since it was last inserted or passed over by eviction (the second chance). */
  used: boolean;
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

/** Tokens up to this many characters are their own cache key; longer ones are keyed by their digest. */
export const rawKeyMaxLength = 1024;

/** What one cached principal costs, roughly: the key (one byte per character), the owner id's characters, the objects. */
export function estimateEntryBytes(principal: Principal, keyLength = digestBytes): number {
  return entryOverheadBytes + keyLength + 2 * principal.ownerId.length;
}

/**
 * The cache key of a token: the token itself up to rawKeyMaxLength characters, else a space
 * and its digest. A bearer token never contains a space (verifier.ts), so the two kinds of
 * key cannot meet.
 */
export function cacheKeyOf(token: string): string {
  return token.length <= rawKeyMaxLength ? token : ` ${tokenDigest(token)}`;
}

/** The cache key of a token: its SHA-256 digest as a 32-character one-byte string. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest().toString('latin1');
}

/** Verified principals keyed by token (cacheKeyOf), least recently used evicted first. */
export class VerifiedTokenCache {
  // A Map iterates in insertion order. A hit only marks its entry used; eviction walks from
  // the oldest entry, moves a used one to the back (clearing the mark) and evicts the first
  // unused one (CLOCK, "second chance"). Re-inserting on every hit, an exact LRU, rebuilt the
  // Map's table every few calls, and each new table outlived a young-generation collection,
  // so it was promoted, only to die in the old generation (issue 10: heap sampling of a
  // GetVideo load).
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;

  constructor(private readonly options: VerifiedTokenCacheOptions) {}

  /** The principal cached for `token`, if it is still within its exp. */
  get(token: string): Principal | undefined {
    const key = cacheKeyOf(token);
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (this.options.now() >= entry.usableUntilMs) {
      this.#remove(key);
      return undefined;
    }
    entry.used = true;
    return entry.principal;
  }

  /** Remembers a verified token until its `exp` (seconds since the epoch) plus tolerance. */
  set(token: string, principal: Principal, expSeconds: number): void {
    const key = cacheKeyOf(token);
    const bytes = estimateEntryBytes(principal, key.length);
    if (bytes > this.options.maxBytes) return;
    this.#remove(key);
    while (this.#bytes + bytes > this.options.maxBytes) this.#evictOne();
    // jose refuses once now - tolerance >= exp, i.e. accepts while now < exp + tolerance.
    const usableUntilMs = (expSeconds + this.options.toleranceSeconds) * 1000;
    this.#entries.set(key, { principal, usableUntilMs, bytes, used: false });
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

  /** Evicts the oldest entry not used since it was inserted or last passed over. */
  #evictOne(): void {
    for (;;) {
      const [key, entry] = this.#entries.entries().next().value as [string, Entry];
      if (!entry.used) return this.#remove(key);
      entry.used = false;
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
  }

  #remove(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }
}
