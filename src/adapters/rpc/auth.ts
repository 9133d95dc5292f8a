// Authentication (SPEC §4): every VideoService call carries `authorization: Bearer <JWT>`;
// the verified principal reaches handlers through context values, never a global.
import { createContextKey, type HandlerContext } from '@connectrpc/connect';
import type { Principal } from '../../app/principal.ts';
import { TokenMissing } from '../../domain/errors.ts';

/** Where the policy interceptor (call-guards.ts) leaves the caller for handlers and the call log. */
export const principalKey = createContextKey<Principal | undefined>(undefined, { description: 'principal' });

// Served without a token so load balancers, buf curl and grpcurl work with no credentials.
const publicServices = new Set(['grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection']);

/** Whether a service is reachable without a token (health, reflection). */
export function isPublicService(typeName: string): boolean {
  return publicServices.has(typeName);
}

/** The caller of a handler's call; the auth interceptor guarantees it for VideoService. */
export function callerOf(context: HandlerContext): Principal {
  const principal = context.values.get(principalKey);
  if (principal === undefined) throw new TokenMissing();
  return principal;
}
