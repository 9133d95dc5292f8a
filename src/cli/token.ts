// `videosvc token <owner> [--admin] [--ttl 1h]`: mints a bearer token signed with the
// current token secret, chosen exactly as `serve` chooses it, for `buf curl` and scripts.
import { parseArgs } from 'node:util';
import { parseConfig, readEnvironment } from '../app/config.ts';
import { InvalidArgument } from '../domain/errors.ts';
import { checkOwnerId } from '../domain/validation.ts';
import { UsageError, parseCommandLine, printOut, type Command } from './command.ts';

const defaultTtl = '1h';
const secondsPerUnit: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };

const usage = `usage: videosvc token <owner> [--admin] [--ttl ${defaultTtl}]

Prints a bearer token (HS256 JWT) for <owner> on stdout, and nothing else, so
  TOKEN=$(videosvc token alice)
works in a shell. The token is signed with the current token secret, chosen as
\`videosvc serve\` chooses it: JWT_SECRET, the Secrets Manager secret JWT_SECRET_ID
(its AWSCURRENT version), or else the development secret file next to SQLITE_PATH
(created if absent; never in production). JWT_ISSUER and JWT_AUDIENCE are set as
claims when configured. Run it with the same environment and working directory as serve.

options:
  --admin        add the scope videos:admin (may act on every owner's videos)
  --ttl <time>   lifetime: a whole number with s, m, h or d, e.g. 30s, 15m, 1h, 7d (default ${defaultTtl})
  -h, --help     show this help
`;

/** Seconds in a lifetime like `30s`, `15m`, `1h` or `7d`; UsageError otherwise. */
export function parseTtl(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  const seconds = match === null ? Number.NaN : Number(match[1]) * (secondsPerUnit[match[2] ?? ''] ?? Number.NaN);
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new UsageError('token', `--ttl must be a positive whole number with s, m, h or d, e.g. 15m or 7d (got "${text}")`);
  }
  return seconds;
}

export const tokenCommand: Command = {
  name: 'token',
  summary: 'print a bearer token for an owner (--admin for the service scope)',
  usage,
  async run(args) {
    const { values, positionals } = parseCommandLine('token', () =>
      parseArgs({
        args: [...args],
        options: {
          admin: { type: 'boolean', default: false },
          ttl: { type: 'string', default: defaultTtl },
          help: { type: 'boolean', short: 'h' },
        },
        allowPositionals: true,
      }),
    );
    if (values.help) {
      await printOut(usage);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError('token', 'name exactly one <owner>');
    const subject = ownerArgument(positionals[0] ?? '');
    const ttlSeconds = parseTtl(values.ttl);
    const config = parseConfig(readEnvironment());

    const [{ selectTokenSecretSource }, { mintToken }] = await Promise.all([
      import('../adapters/secret/select.ts'),
      import('../adapters/token/mint.ts'),
    ]);
    const selected = await selectTokenSecretSource(config);
    let secret: Uint8Array;
    try {
      secret = (await selected.source.load()).current;
    } finally {
      selected.close();
    }
    // stdout carries only the token; a newly created development secret is worth a note.
    if (selected.kind === 'dev-file' && selected.origin.startsWith('created')) {
      process.stderr.write(`videosvc: ${selected.origin}\n`);
    }
    const token = await mintToken({
      secret,
      subject,
      admin: values.admin,
      ttlSeconds,
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
    });
    await printOut(`${token}\n`);
    return 0;
  },
};

// The token's sub is an owner id, so the same rule applies (SPEC §1).
function ownerArgument(ownerId: string): string {
  try {
    return checkOwnerId(ownerId);
  } catch (error) {
    if (error instanceof InvalidArgument) throw new UsageError('token', `<owner>: ${error.rule}`);
    throw error;
  }
}
