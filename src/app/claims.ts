// The work-claiming use cases (SPEC §9): ClaimVideo with its long poll, and RenewClaim.
// The rules are claim.ts's; the store grants a claim with one conditional write. The long
// poll lives here, once for every store: calls that wait share one claim attempt per poll
// interval per process, and a video that becomes claimable through this process (a create,
// a give-back, a retry) wakes them at once.
import { checkWorkerId, leaseMsOf, waitMsOf } from '../domain/claim.ts';
import { ScopeRequired } from '../domain/errors.ts';
import { allowedFrom } from '../domain/lifecycle.ts';
import type { Clock, StoreCallOptions, VideoStore } from '../domain/ports.ts';
import { checkVideoId } from '../domain/validation.ts';
import type { Video } from '../domain/video.ts';
import { adminScope, ownerFor, type Principal } from './principal.ts';

export interface ClaimVideoInput {
  readonly workerId: string;
  /** lease_duration in ms; 0 for the default. */
  readonly leaseMs: number;
  /** wait_duration in ms; 0 answers at once. */
  readonly waitMs: number;
}

export interface RenewClaimInput {
  readonly ownerId: string;
  readonly videoId: string;
  readonly workerId: string;
  readonly leaseMs: number;
}

/** What bounds a claim call: the client's deadline, and the bounds of each store call it makes. */
export interface ClaimCallBounds {
  /** The client's deadline (epoch ms), if any: a wait never outlasts it. */
  readonly deadline: number | undefined;
  /** Aborted when the client goes away: the call stops waiting. */
  readonly signal: AbortSignal | undefined;
  /** Fresh bounds for one store call (its own store timeout, capped by the client's deadline). */
  storeOptions(): StoreCallOptions;
}

export interface ClaimsOptions {
  /** CLAIM_MAX_ATTEMPTS. */
  readonly maxAttempts: number;
  /** The shared poll of waiting calls: at most one claim attempt this often while nothing comes (default 1 s). */
  readonly pollIntervalMs?: number;
}

/** A ClaimVideo call waiting for work. */
interface Waiter {
  readonly workerId: string;
  readonly leaseMs: number;
  readonly bounds: ClaimCallBounds;
  /** Its wait is over (time, deadline, client gone, drain) and it was answered with no video. */
  ended: boolean;
  readonly settle: (outcome: { video?: Video; error?: unknown }) => void;
}

export const defaultClaimPollIntervalMs = 1_000;

export class Claims {
  readonly #store: VideoStore;
  readonly #clock: Clock;
  readonly #maxAttempts: number;
  readonly #pollIntervalMs: number;
  /** Waiting calls, the longest waiting first: the shared poll claims for them in that order. */
  readonly #waiters: Waiter[] = [];
  #polling = false;
  /** Set by wake(): the next poll runs without waiting out the interval. */
  #woken = false;
  #wakeSleeper: (() => void) | undefined;
  #stopped = false;

  constructor(store: VideoStore, clock: Clock, options: ClaimsOptions) {
    this.#store = store;
    this.#clock = clock;
    this.#maxAttempts = options.maxAttempts;
    this.#pollIntervalMs = options.pollIntervalMs ?? defaultClaimPollIntervalMs;
  }

  /** ClaimVideo: the longest-waiting claimable video, claimed for the worker; undefined when none came. */
  async claim(principal: Principal, input: ClaimVideoInput, bounds: ClaimCallBounds): Promise<Video | undefined> {
    requireAdmin(principal, 'ClaimVideo');
    const workerId = checkWorkerId(input.workerId);
    const leaseMs = leaseMsOf(input.leaseMs);
    const waitMs = waitMsOf(input.waitMs);
    // A call that may wait joins the shared poll rather than asking the store itself:
    // the poll runs at once when idle, and if it is between polls it found nothing less
    // than an interval ago (a wake would have run it since).
    if (waitMs === 0 || this.#stopped) return this.#attempt(workerId, leaseMs, bounds);
    return this.#wait(workerId, leaseMs, waitMs, bounds);
  }

  /** RenewClaim: the worker's live claim, extended by the lease from now. */
  async renew(principal: Principal, input: RenewClaimInput, options?: StoreCallOptions): Promise<Video> {
    requireAdmin(principal, 'RenewClaim');
    const key = { ownerId: ownerFor(principal, input.ownerId), videoId: checkVideoId(input.videoId) };
    const workerId = checkWorkerId(input.workerId);
    const leaseMs = leaseMsOf(input.leaseMs);
    const now = this.#clock.now();
    return this.#store.renewClaim(key, { workerId, now, expireTime: new Date(now.getTime() + leaseMs) }, options);
  }

  /** A video may have become claimable through this process: waiting calls try at once. */
  wake(): void {
    if (this.#waiters.length === 0) return;
    this.#woken = true;
    this.#wakeSleeper?.();
    this.#poll();
  }

  /** The server is draining: every waiting call is answered now with no video, and no call waits from now on. */
  stopWaiting(): void {
    this.#stopped = true;
    for (const waiter of this.#waiters.splice(0)) this.#end(waiter);
    this.#wakeSleeper?.();
  }

  /** How many calls are waiting (tests, diagnostics). */
  waiting(): number {
    return this.#waiters.length;
  }

  async #attempt(workerId: string, leaseMs: number, bounds: ClaimCallBounds): Promise<Video | undefined> {
    const now = this.#clock.now();
    return this.#store.claimNext(
      { workerId, now, expireTime: new Date(now.getTime() + leaseMs), maxAttempts: this.#maxAttempts },
      bounds.storeOptions(),
    );
  }

  #wait(workerId: string, leaseMs: number, waitMs: number, bounds: ClaimCallBounds): Promise<Video | undefined> {
    return new Promise<Video | undefined>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => this.#end(waiter);
      const waiter: Waiter = {
        workerId,
        leaseMs,
        bounds,
        ended: false,
        settle: (outcome) => {
          clearTimeout(timer);
          bounds.signal?.removeEventListener('abort', onAbort);
          if (outcome.error !== undefined) reject(outcome.error);
          else resolve(outcome.video);
        },
      };
      // The wait ends a little before the client's deadline, so the empty answer reaches it in time.
      const until = Math.min(Date.now() + waitMs, bounds.deadline === undefined ? Infinity : bounds.deadline - answerMarginMs);
      timer = setTimeout(onAbort, Math.max(0, until - Date.now()));
      if (bounds.signal?.aborted) return this.#end(waiter);
      bounds.signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
      this.#poll();
    });
  }

  // A waiter whose wait is over leaves the queue and is answered with no video at once,
  // even while an attempt for it is under way: the answer must reach the client before its
  // deadline, and a slow store must not hold it. What that attempt claims for it is given
  // back (#giveBack).
  #end(waiter: Waiter): void {
    if (waiter.ended) return;
    waiter.ended = true;
    const at = this.#waiters.indexOf(waiter);
    if (at >= 0) this.#waiters.splice(at, 1);
    waiter.settle({});
  }

  // A video claimed for a call that had already been answered: nobody works on it, so it goes
  // back to the queue at once (TRANSCODING → UPLOADED, conditional on the claim's version)
  // rather than waiting out its lease. Its attempt stays counted. Best effort: if this write
  // fails, the lease runs out as for a worker that vanished.
  #giveBack(video: Video): void {
    this.#store
      .update(video, { fields: { status: 'UPLOADED' }, updateTime: this.#clock.now() }, { version: video.version, statusIn: allowedFrom('UPLOADED') })
      .then(() => this.wake(), () => undefined);
  }

  // The one poll of this process: claims for the longest-waiting call until an attempt
  // finds nothing, then sleeps for the interval or until wake(). A store error answers
  // every waiting call with it (each would meet the same outage), not one after another.
  #poll(): void {
    if (this.#polling) return;
    this.#polling = true;
    void (async () => {
      try {
        while (this.#waiters.length > 0 && !this.#stopped) {
          this.#woken = false;
          const waiter = this.#waiters[0]!;
          let video: Video | undefined;
          try {
            video = await this.#attempt(waiter.workerId, waiter.leaseMs, waiter.bounds);
          } catch (error) {
            // The head is among them unless its wait ended meanwhile (then it was answered).
            for (const each of this.#waiters.splice(0)) each.settle({ error });
            return;
          }
          if (video !== undefined) {
            if (waiter.ended) this.#giveBack(video);
            else {
              this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
              waiter.settle({ video });
            }
            continue;
          }
          if (this.#waiters.length === 0 || this.#woken) continue;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, this.#pollIntervalMs);
            this.#wakeSleeper = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          this.#wakeSleeper = undefined;
        }
      } finally {
        this.#polling = false;
      }
    })();
  }
}

/** How long before the client's deadline a waiting call gives up, so its empty answer arrives in time. */
const answerMarginMs = 200;

function requireAdmin(principal: Principal, rpc: string): void {
  if (!principal.isAdmin) throw new ScopeRequired(rpc, adminScope);
}
