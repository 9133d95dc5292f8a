// Whether the store answers, bounded in time: used by /readyz and the health service,
// so a hung store reads as "not ready" instead of hanging the probe.

/** How long a readiness probe waits for the store's ping. */
export const probeTimeoutMs = 1_000;

/** Resolves true when `ping` succeeds within `timeoutMs`, false on failure or timeout. */
export async function storeReachable(ping: () => Promise<void>, timeoutMs = probeTimeoutMs): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([ping().then(() => true, () => false), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
