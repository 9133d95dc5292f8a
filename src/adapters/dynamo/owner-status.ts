// The owner-and-status index (SPEC §1): a GSI whose partition key `ownerStatus` joins the
// owner and the status, `<ownerId>#<lowercase status word>`, with createdAt as sort key,
// so a status-filtered page is one Query on exactly the matching videos.
//
// The key is written from the status an item *reads as* (status.ts), never from the stored
// spelling, so every item of one status shares one key: `Uploaded`, `UPLOADED` and a
// missing status all key as `<owner>#uploaded`, and a word that is no status (which reads
// as FAILED) keys as `<owner>#failed` — a FAILED list shows what GetVideo calls FAILED.
// Owner ids cannot hold `#` (SPEC §1), so the key never mixes two owners.
import type { NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import type { VideoStatus } from '../../domain/video.ts';
import { readStatus, statusWord } from './status.ts';
import { attributes } from './table-shape.ts';

export const ownerStatusAttribute = attributes.ownerStatus;

/** The index key of `ownerId`'s videos in `status`. */
export function ownerStatusKey(ownerId: string, status: VideoStatus): string {
  return `${ownerId}#${statusWord(status)}`;
}

/** The index key an item with this stored status attribute belongs under (backfill). */
export function ownerStatusKeyOfStored(ownerId: string, storedStatus: NativeAttributeValue): string {
  return ownerStatusKey(ownerId, readStatus(storedStatus).status);
}

/**
 * The item that says every video in the table carries an up-to-date `ownerStatus`: written
 * by create-table into the table it has just created (empty, so nothing lacks the key) and
 * by backfill-status when it finishes. Without it the service does not trust the index,
 * whose older items would be missing from filtered lists, and filters the slow way. The
 * owner id cannot be a real owner's (`#`), and the item has neither createdAt nor
 * ownerStatus, so it appears in no index.
 */
export const backfillMarkerKey = { ownerId: '#videosvc', videoId: 'ownerStatus-backfilled' } as const;
