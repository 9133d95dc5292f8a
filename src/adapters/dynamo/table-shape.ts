// The key schema the adapter expects (SPEC §1), shared by open(), create-table and
// create-index so the names are written once.

export const attributes = {
  ownerId: 'ownerId',
  videoId: 'videoId',
  createdAt: 'createdAt',
} as const;

/** The name `videosvc dynamo create-index` gives the owner/time index by default. */
export const defaultOwnerTimeIndex = 'OwnerCreatedIndex';
