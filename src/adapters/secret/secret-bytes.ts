// The one place SPEC §4's rule lives for every token secret source: the secret's UTF-8
// bytes are the HMAC key, and fewer than 32 are refused at start.
import { ConfigError } from '../../app/config.ts';

export const minimumTokenSecretBytes = 32;

/** The HMAC key for `value`; ConfigError naming `label` (never the value) if it is too short. */
export function tokenSecretBytes(value: string, label: string): Uint8Array {
  const bytes = new TextEncoder().encode(value);
  if (bytes.length < minimumTokenSecretBytes) {
    throw new ConfigError(
      `${label} is ${bytes.length} bytes; at least ${minimumTokenSecretBytes} are required`,
    );
  }
  return bytes;
}
