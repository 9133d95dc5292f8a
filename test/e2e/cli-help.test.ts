// SPEC §7: `--help` on each command; `--version`; an unknown command prints the usage and exits 2.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { baseEnv, runCli, tempDir } from './cli-process.ts';

// A secret in the environment must never show up in help output.
const secretValue = 'help-test-secret-that-must-not-appear-0123456789';

async function run(args: readonly string[]) {
  const dir = tempDir();
  try {
    return await runCli(args, baseEnv(dir.path, { JWT_SECRET: secretValue }), dir.path);
  } finally {
    dir.remove();
  }
}

describe.concurrent('videosvc --help', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--help'], /^usage: videosvc <command>/],
    [['-h'], /^usage: videosvc <command>/],
    [['serve', '--help'], /^usage: videosvc serve\b[\s\S]*SQLITE_PATH[\s\S]*JWT_SECRET_ID/],
    [['token', '--help'], /^usage: videosvc token <owner> \[--admin\] \[--ttl 1h\]/],
    [['token', '-h'], /^usage: videosvc token <owner>/],
    [['dynamo', '--help'], /^usage: videosvc dynamo create-table[\s\S]*create-index \[--name OwnerCreatedIndex\]/],
    [['migrate', '--help'], /^usage: videosvc migrate sqlite-to-dynamodb \[--sqlite PATH\]/],
  ];
  for (const [args, usage] of cases) {
    it(`videosvc ${args.join(' ')} prints usage and exits 0`, async () => {
      const result = await run(args);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(usage);
      expect(result.stderr).toBe('');
      expect(result.stdout).not.toContain(secretValue);
    });
  }

  it.each([['--version'], ['-v']])('videosvc %s prints the version from package.json and exits 0', async (flag) => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = await run([flag]);
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('an unknown command prints the usage on stderr and exits 2', async () => {
    const result = await run(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^videosvc: unknown command "frobnicate"\n\nusage: videosvc <command>/);
  });

  it('no command at all prints the usage and exits 2', async () => {
    const result = await run([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('usage: videosvc <command>');
  });

  it('an unknown option is a one-line usage error with exit 2', async () => {
    const result = await run(['serve', '--frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^videosvc serve: .*--frobnicate.*\(see `videosvc serve --help`\)/);
  });

  it('an unknown dynamo action or migrate direction is a usage error', async () => {
    const dynamo = await run(['dynamo', 'drop-table']);
    expect(dynamo.code).toBe(2);
    expect(dynamo.stderr).toMatch(/^videosvc dynamo: unknown action "drop-table"/);
    const migrate = await run(['migrate', 'dynamodb-to-sqlite']);
    expect(migrate.code).toBe(2);
    expect(migrate.stderr).toMatch(/^videosvc migrate: unknown direction "dynamodb-to-sqlite"/);
  });
});
