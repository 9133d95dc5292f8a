// The token secret from Secrets Manager (SPEC §4–§5): AWSCURRENT signs and verifies;
// AWSPREVIOUS, while a rotation leaves one, still verifies.
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../../app/config.ts';
import type { TokenSecretSource, TokenSecrets } from '../../domain/ports.ts';
import { tokenSecretBytes } from '../secret/secret-bytes.ts';
import { awsConfigError, classifyAwsFailure } from './failure.ts';

/** The JSON key holding the secret when the SecretString is a JSON object. */
export const secretJsonKey = 'JWT_SECRET';

type Stage = 'AWSCURRENT' | 'AWSPREVIOUS';

/** Reads secret `secretId` (name or ARN); every failure is a one-line ConfigError without the value. */
export class SecretsManagerSecretSource implements TokenSecretSource {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
  ) {}

  /** Both stages, read in parallel. */
  async load(): Promise<TokenSecrets> {
    const [current, previous] = await Promise.all([this.stage('AWSCURRENT'), this.stage('AWSPREVIOUS')]);
    const currentBytes = tokenSecretBytes(this.decode(current), `token secret ${this.secretId}`);
    const previousBytes = previous === undefined ? undefined : this.usablePrevious(previous, currentBytes);
    return previousBytes === undefined ? { current: currentBytes } : { current: currentBytes, previous: previousBytes };
  }

  private async stage(stage: 'AWSCURRENT'): Promise<StageValue>;
  private async stage(stage: 'AWSPREVIOUS'): Promise<StageValue | undefined>;
  private async stage(stage: Stage): Promise<StageValue | undefined> {
    try {
      const output = await this.client.send(
        new GetSecretValueCommand({ SecretId: this.secretId, VersionStage: stage }),
      );
      return { text: output.SecretString };
    } catch (error) {
      // No AWSPREVIOUS just means no rotation is under way.
      if (stage === 'AWSPREVIOUS' && classifyAwsFailure(error).kind === 'not-found') return undefined;
      throw awsConfigError(
        'Secrets Manager',
        `secret ${this.secretId}`,
        error,
        `Secrets Manager secret ${this.secretId} not found (check JWT_SECRET_ID)`,
      );
    }
  }

  /** The secret text: the SecretString itself, or its JWT_SECRET key when it is a JSON object. */
  private decode(value: StageValue): string {
    const refused = () => new ConfigError(`secret ${this.secretId} is not a string or JSON with key ${secretJsonKey}`);
    if (value.text === undefined) throw refused(); // SecretBinary only
    // Text that opens like JSON must be a JSON object with a string JWT_SECRET; anything
    // else is taken as the plain secret, byte for byte (so an all-digit secret, which is
    // also valid JSON, still counts as plain text).
    if (!/^\s*[[{]/.test(value.text)) return value.text;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value.text);
    } catch {
      throw refused();
    }
    const inner = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)[secretJsonKey] : undefined;
    if (Array.isArray(parsed) || typeof inner !== 'string') throw refused();
    return inner;
  }

  // A previous value we would refuse as current must not verify either, but it must not
  // block a rotation to a good current secret, so it is dropped rather than fatal.
  private usablePrevious(value: StageValue, current: Uint8Array): Uint8Array | undefined {
    try {
      const bytes = tokenSecretBytes(this.decode(value), `previous token secret ${this.secretId}`);
      return Buffer.from(bytes).equals(current) ? undefined : bytes;
    } catch {
      return undefined;
    }
  }
}

interface StageValue {
  /** Undefined when the version holds SecretBinary only. */
  readonly text: string | undefined;
}
