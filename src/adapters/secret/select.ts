// Picks where the token secret comes from (SPEC §5), for the composition root and the
// `videosvc token` command. Lives with the adapters because it builds them (the app
// layer never touches an SDK).
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError, type Config } from '../../app/config.ts';
import type { TokenSecretSource } from '../../domain/ports.ts';
import type { AwsClientOptions } from '../aws/clients.ts';
import { devSecretPath, openDevSecretFile } from './dev-secret-file.ts';
import { staticTokenSecretSource } from './static-secret.ts';

export interface SelectedTokenSecretSource {
  readonly source: TokenSecretSource;
  readonly kind: 'static' | 'secrets-manager' | 'dev-file';
  /** One start-up log line saying where the secret comes from: a variable, id or path, never the value. */
  readonly origin: string;
  /** True only when this call created the development secret file. */
  readonly created: boolean;
  /** Releases what the source holds (the Secrets Manager client's sockets). */
  close(): void;
}

export interface SelectTokenSecretOptions {
  /** A ready client (tests); otherwise one is built from Config with `clientOptions`. */
  readonly secretsManagerClient?: SecretsManagerClient;
  readonly clientOptions?: AwsClientOptions;
}

/**
 * JWT_SECRET → static; JWT_SECRET_ID → Secrets Manager; neither → the development secret
 * file next to the database, or ConfigError in production. Does no AWS I/O itself.
 */
export async function selectTokenSecretSource(
  config: Config,
  options: SelectTokenSecretOptions = {},
): Promise<SelectedTokenSecretSource> {
  const { secret, secretId } = config.jwt;
  if (secret !== undefined) {
    return { source: staticTokenSecretSource(secret), kind: 'static', origin: 'token secret from JWT_SECRET', created: false, close() {} };
  }
  if (secretId !== undefined) {
    // Loaded only on this branch: the AWS SDKs cost a few hundred ms of start-up, which a
    // service with JWT_SECRET or the development secret file should not pay.
    const [{ createSecretsManagerClient }, { SecretsManagerSecretSource }] = await Promise.all([
      import('../aws/clients.ts'),
      import('../aws/secrets-manager-secret.ts'),
    ]);
    const client = options.secretsManagerClient ?? createSecretsManagerClient(config, options.clientOptions);
    const owned = options.secretsManagerClient === undefined;
    return {
      source: new SecretsManagerSecretSource(client, secretId),
      kind: 'secrets-manager',
      origin: `token secret from Secrets Manager secret ${secretId}`,
      created: false,
      close: () => {
        if (owned) client.destroy();
      },
    };
  }
  if (config.production) throw new ConfigError('no token secret: set JWT_SECRET_ID (or JWT_SECRET)');
  const dev = await openDevSecretFile(devSecretPath(config.sqlite.path));
  return {
    source: dev.source,
    kind: 'dev-file',
    origin: dev.created
      ? `created development token secret at ${dev.path}`
      : `using development token secret from ${dev.path}`,
    created: dev.created,
    close() {},
  };
}
