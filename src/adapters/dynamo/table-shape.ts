// The key schema the adapter expects (SPEC §1), shared by open(), create-table and
// create-index so the names are written once.

export const attributes = {
  ownerId: 'ownerId',
  videoId: 'videoId',
  createdAt: 'createdAt',
  ownerStatus: 'ownerStatus',
} as const;

/** The name `videosvc dynamo create-index` gives the owner/time index by default. */
export const defaultOwnerTimeIndex = 'OwnerCreatedIndex';


/**
 * The owner-and-status index's name where a caller names none: SPEC §5's default for
 * DYNAMO_STATUS_INDEX, so a table made by create-table matches a service left unconfigured.
 */
export const defaultStatusIndex = 'OwnerStatusIndex';
