import { v7 } from 'uuid';
import type { IdSource } from '../../domain/ports.ts';

/** UUIDv7 ids (RFC 9562): time-ordered, and monotonic within one process even inside a millisecond. */
export const uuidV7Ids: IdSource = { newId: () => v7() };
