import type { Clock } from '../../domain/ports.ts';

/** The machine's wall clock. */
export const systemClock: Clock = { now: () => new Date() };
