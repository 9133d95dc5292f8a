// A VideoStore wrapper whose failure mode a test switches at will: down (StoreUnavailable),
// broken (a plain Error carrying raw store text), or hanging until released.
import { StoreUnavailable } from '../../src/domain/errors.ts';
import type { VideoStore } from '../../src/domain/ports.ts';

export type StoreMode = 'normal' | 'unavailable' | 'corrupt' | 'hang';

export interface FaultyStore {
  readonly store: VideoStore;
  mode: StoreMode;
  /** Lets every hanging call proceed. */
  release(): void;
}

/** The raw error text the 'corrupt' mode throws; it must never reach a client. */
export const corruptStoreMessage = 'SQLITE_CORRUPT: database disk image is malformed (secret details)';

/** Wraps `store`; every method, ping included, obeys the current mode. */
export function faultyStore(store: VideoStore): FaultyStore {
  const waiting: (() => void)[] = [];
  const state: FaultyStore = {
    mode: 'normal',
    release: () => waiting.splice(0).forEach((resolve) => resolve()),
    store: undefined as unknown as VideoStore,
  };
  const gate = async (): Promise<void> => {
    if (state.mode === 'unavailable') throw new StoreUnavailable();
    if (state.mode === 'corrupt') throw new Error(corruptStoreMessage);
    if (state.mode === 'hang') await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const wrapped: VideoStore = {
    create: async (video) => (await gate(), store.create(video)),
    get: async (key) => (await gate(), store.get(key)),
    getMany: async (ownerId, ids) => (await gate(), store.getMany(ownerId, ids)),
    list: async (query) => (await gate(), store.list(query)),
    update: async (key, change, expect) => (await gate(), store.update(key, change, expect)),
    delete: async (key, expect) => (await gate(), store.delete(key, expect)),
    claimNext: async (grant) => (await gate(), store.claimNext(grant)),
    renewClaim: async (key, renewal) => (await gate(), store.renewClaim(key, renewal)),
    ping: async () => (await gate(), store.ping()),
    close: () => store.close(),
  };
  return Object.assign(state, { store: wrapped });
}
