// Assertion helper for the contract: a call must fail with one particular domain error.
import { expect } from 'vitest';

/** Awaits `call`, asserts it rejected with an instance of `type`, and returns that error for further checks. */
export async function refused<E extends Error>(
  call: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
): Promise<E> {
  const outcome = await call.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) throw new Error(`expected ${type.name}, but the call succeeded with ${String(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(type);
  return outcome.error as E;
}
