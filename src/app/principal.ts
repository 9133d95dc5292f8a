// Who is calling, and the ownership rule of SPEC §4.
import { CallerNotOwner } from '../domain/errors.ts';
import { checkOwnerId } from '../domain/validation.ts';

/** The scope that lets a service act on every owner's videos (e.g. a transcoding worker). */
export const adminScope = 'videos:admin';

export interface Principal {
  /** The token's `sub`: the caller's owner id. */
  readonly ownerId: string;
  /** Whether the token's scope holds `videos:admin`. */
  readonly isAdmin: boolean;
}

/** Builds a principal from a verified token's `sub` and space-separated `scope`. */
export function principalOf(subject: string, scope: string | undefined): Principal {
  return { ownerId: subject, isAdmin: (scope ?? '').split(' ').includes(adminScope) };
}

/**
 * The owner a request acts on: an empty owner_id means the caller; naming another
 * owner needs the admin scope.
 */
export function ownerFor(principal: Principal, requestedOwnerId: string): string {
  const ownerId = checkOwnerId(requestedOwnerId === '' ? principal.ownerId : requestedOwnerId);
  if (ownerId !== principal.ownerId && !principal.isAdmin) {
    throw new CallerNotOwner(principal.ownerId, ownerId);
  }
  return ownerId;
}
