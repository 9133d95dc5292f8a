// Which work-index entry a claim tries next (SPEC §9 "Order", "Cost on DynamoDB"). Each
// process keeps, per shard, the entries it last read (oldest first, a few at a time) and
// merges the shards' heads by readyAt, so a claim from a deep queue costs a fraction of a
// Query: a shard is read again only when its buffer is used up.
//
// The rules that keep the guarantees:
// - Oldest first: a head is handed out only when every shard could have nothing older —
//   its buffer is not used up, or it was read to its end at an instant no earlier than the
//   head's readyAt. Otherwise that shard is read first (one Query).
// - Nothing missed: "nothing claimable" is answered only after every shard was read from
//   its start during this very call, so a video that became claimable since any earlier
//   read (a give-back, an expired claim, an index entry that was late) is found.
// - One try per process: an entry being tried by one call is skipped by the others; the
//   conditional write decides between processes.
// Reads of one shard are never concurrent: a call that needs a shard being read waits for
// that read and, when it began after the call did, counts it as its own.
import type { Item } from './item.ts';
import { workShardCount } from './work-index.ts';

/** One work-index entry: the item's keys, its place in the queue and the projected attributes. */
export interface QueueEntry {
  readonly shard: number;
  readonly ownerId: string;
  readonly videoId: string;
  readonly readyAt: string;
  readonly item: Item;
}

export interface ShardPage {
  /** Oldest first, every one with readyAt <= the read's bound. */
  readonly entries: QueueEntry[];
  /** Where the next read of this shard continues; undefined when this read reached the end. */
  readonly next: Item | undefined;
}

/** Reads up to a few entries of `shard` with readyAt <= `now`, after `startKey` when given (one Query). */
export type ShardReader = (shard: number, now: string, startKey: Item | undefined) => Promise<ShardPage>;

interface ShardState {
  buffer: QueueEntry[];
  /** Where the next read continues, while the last read stopped at its limit. */
  cursor: Item | undefined;
  /** The readyAt bound of the last read; undefined before the first. */
  readBound: string | undefined;
  /** The sequence number of the last read from the shard's start (0: never). */
  startedAt: number;
  /** The read under way, if any. */
  reading: Promise<void> | undefined;
}

/** The order of two entries: readyAt, then the key (as SQLite breaks ties). */
function older(a: QueueEntry, b: QueueEntry): boolean {
  if (a.readyAt !== b.readyAt) return a.readyAt < b.readyAt;
  if (a.ownerId !== b.ownerId) return a.ownerId < b.ownerId;
  return a.videoId < b.videoId;
}

export function entryKey(entry: { ownerId: string; videoId: string }): string {
  return `${entry.ownerId}\0${entry.videoId}`;
}

/** The per-process view of the work index that claims draw from. */
export class ClaimQueue {
  private readonly shards: ShardState[] = Array.from({ length: workShardCount }, () => ({
    buffer: [],
    cursor: undefined,
    readBound: undefined,
    startedAt: 0,
    reading: undefined,
  }));
  /** Entries some call of this process is trying now. */
  private readonly trying = new Set<string>();
  private sequence = 0;

  /** A call's starting point: reads from a shard's start that begin after it count as the call's own. */
  begin(): number {
    return this.sequence;
  }

  /**
   * The oldest entry claimable at `now` (readyAt <= now), taken out of the queue and marked
   * as being tried until `done(entry)`; undefined when every shard, read from its start
   * during this call, has nothing more.
   */
  async take(now: string, callStart: number, read: ShardReader, check: () => void): Promise<QueueEntry | undefined> {
    for (;;) {
      check();
      const head = this.head(now);
      const reads: Promise<void>[] = [];
      for (const [shard, state] of this.shards.entries()) {
        const need = this.readNeeded(state, head, callStart);
        if (need !== undefined) reads.push(this.readShard(read, shard, now, need));
      }
      if (reads.length > 0) {
        await Promise.all(reads);
        continue;
      }
      if (head === undefined) return undefined;
      this.shards[head.shard]!.buffer.shift();
      this.trying.add(entryKey(head));
      return head;
    }
  }

  /** The entry's try is over (granted, lost, or passed over). */
  done(entry: QueueEntry): void {
    this.trying.delete(entryKey(entry));
  }

  /** The oldest buffered head with readyAt <= now, dropping heads another call is trying. */
  private head(now: string): QueueEntry | undefined {
    let best: QueueEntry | undefined;
    for (const state of this.shards) {
      while (state.buffer.length > 0 && this.trying.has(entryKey(state.buffer[0]!))) state.buffer.shift();
      const first = state.buffer[0];
      if (first !== undefined && first.readyAt <= now && (best === undefined || older(first, best))) best = first;
    }
    return best;
  }

  /**
   * Whether `state` must be read before `head` may be handed out — or, with no head, before
   * "nothing claimable" may be answered — and how: from its start, or on from its cursor.
   */
  private readNeeded(state: ShardState, head: QueueEntry | undefined, callStart: number): 'start' | 'continue' | undefined {
    if (head === undefined) {
      if (state.startedAt <= callStart) return 'start';
      return state.buffer.length === 0 && state.cursor !== undefined ? 'continue' : undefined;
    }
    // A buffered head (even one not yet ready) is no older than what follows it in its shard.
    if (state.buffer.length > 0) return undefined;
    if (state.cursor !== undefined) return 'continue';
    return state.readBound === undefined || state.readBound < head.readyAt ? 'start' : undefined;
  }

  private async readShard(read: ShardReader, shard: number, now: string, mode: 'start' | 'continue'): Promise<void> {
    const state = this.shards[shard]!;
    if (state.reading !== undefined) {
      // Another call's read of this shard: wait for it, then decide again (its failure is its own).
      await state.reading.catch(() => undefined);
      return;
    }
    const startedAt = mode === 'start' ? ++this.sequence : undefined;
    const reading = (async () => {
      const page = await read(shard, now, mode === 'start' ? undefined : state.cursor);
      const fresh = page.entries.filter((entry) => !this.trying.has(entryKey(entry)));
      state.buffer = mode === 'start' ? fresh : [...state.buffer, ...fresh];
      state.cursor = page.next;
      state.readBound = now;
      if (startedAt !== undefined) state.startedAt = startedAt;
    })();
    state.reading = reading;
    try {
      await reading;
    } finally {
      state.reading = undefined;
    }
  }
}
