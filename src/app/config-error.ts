// What every configuration parser shares: the environment it reads and the one-line error it throws.

/** A configuration problem, phrased as one line that names what to fix. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export type Environment = Readonly<Record<string, string | undefined>>;
