// The VideoStore contract (STYLE §9): every behaviour SPEC asks of a store, written once
// against the port only, and run by each adapter's *.test.ts in this folder.
import { afterAll, beforeAll, describe } from 'vitest';
import type { VideoStore } from '../../src/domain/ports.ts';
import { claimStateContract } from './video-store/claim-state.ts';
import { claimContract } from './video-store/claims.ts';
import { concurrentWriteContract } from './video-store/concurrent-writes.ts';
import { conditionalWriteContract } from './video-store/conditional-writes.ts';
import { createAndReadContract } from './video-store/create-and-read.ts';
import { listContract } from './video-store/list.ts';
import { roundTripContract } from './video-store/round-trip.ts';

/** Registers the contract suite for one adapter; `open` gives a store the suite closes at the end. */
export function videoStoreContract(name: string, open: () => Promise<VideoStore>): void {
  describe(`VideoStore contract: ${name}`, () => {
    let store: VideoStore | undefined;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });
    // Every test uses owners of its own (uniqueOwner), so one store serves the suite.
    const current = (): VideoStore => {
      if (store === undefined) throw new Error('the store did not open');
      return store;
    };
    createAndReadContract(current);
    conditionalWriteContract(current);
    listContract(current);
    roundTripContract(current);
    concurrentWriteContract(current);
    claimStateContract(current);
    claimContract(current);
  });
}
