// A token secret given directly (JWT_SECRET, for local use and tests). It never
// changes, so there is no previous secret.
import type { TokenSecretSource, TokenSecrets } from '../../domain/ports.ts';
import { tokenSecretBytes } from './secret-bytes.ts';

/** A source that always yields `value`; checked now, so a short JWT_SECRET fails at selection. */
export function staticTokenSecretSource(value: string, label = 'JWT_SECRET'): TokenSecretSource {
  const secrets: TokenSecrets = Object.freeze({ current: tokenSecretBytes(value, label) });
  return { load: async () => secrets };
}
