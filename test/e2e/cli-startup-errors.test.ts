// SPEC §5: every misconfiguration stops start-up with one line naming what to fix, a
// non-zero exit, and no port ever listened on.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { baseEnv, runCli, serveFailing, tempDir, testSecret, type CliResult, type Env } from './cli-process.ts';

type Dir = ReturnType<typeof tempDir>;

// Each case gets its own data directory, so the cases can run side by side.
function inTempDir(test: (dir: Dir) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = tempDir();
    try {
      await test(dir);
    } finally {
      dir.remove();
    }
  };
}

function serveFailingIn(dir: Dir, extra: Env): Promise<CliResult & { listened: boolean }> {
  return serveFailing(baseEnv(dir.path, extra), dir.path);
}

function expectOneLine(result: CliResult & { listened?: boolean }, pattern: RegExp): void {
  expect(result.code).not.toBe(0);
  expect(result.code).not.toBeNull();
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^videosvc: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stdout).not.toContain('"listening"');
  expect(result.listened ?? false).toBe(false);
}

function writeDatabaseFromTheFuture(path: string): void {
  // What a newer videosvc would leave behind: a migration this build has never heard of.
  const db = new Database(path);
  db.exec('create table kysely_migration (name varchar(255) not null primary key, timestamp varchar(255) not null)');
  db.prepare('insert into kysely_migration (name, timestamp) values (?, ?)').run('9999_from_the_future', new Date().toISOString());
  db.close();
}

describe.concurrent('videosvc serve refuses to start when misconfigured', () => {
  it('a PORT that is not a number is named, with the value given', inTempDir(async (dir) => {
    const result = await runCli(['serve'], baseEnv(dir.path, { PORT: 'abc' }), dir.path);
    expectOneLine(result, /PORT must be a whole number from 0 to 65535 \(got "abc"\)/);
    expect(result.code).toBe(1);
  }));

  it('an unknown VIDEO_STORE is named', inTempDir(async (dir) => {
    expectOneLine(await serveFailingIn(dir, { VIDEO_STORE: 'mongodb' }), /VIDEO_STORE must be "sqlite" or "dynamodb" \(got "mongodb"\)/);
  }));

  it('USE_DYNAMO other than true, false, 1 or 0 is named, never read as SQLite', inTempDir(async (dir) => {
    const result = await serveFailingIn(dir, { USE_DYNAMO: 'yes' });
    expectOneLine(result, /^videosvc: USE_DYNAMO must be true, false, 1 or 0 \(got "yes"\)$/);
    expect(result.code).toBe(1);
  }));

  it('a bogus SQLITE_SYNCHRONOUS is named', inTempDir(async (dir) => {
    expectOneLine(await serveFailingIn(dir, { SQLITE_SYNCHRONOUS: 'bogus' }), /SQLITE_SYNCHRONOUS must be FULL or NORMAL/);
  }));

  it('a database written by a newer videosvc is refused, naming the file and the fix', inTempDir(async (dir) => {
    const path = join(dir.path, 'future.sqlite');
    writeDatabaseFromTheFuture(path);
    const result = await serveFailingIn(dir, { SQLITE_PATH: path });
    expectOneLine(result, /future\.sqlite.*9999_from_the_future.*upgrade videosvc/);
  }));

  it('production without a token secret names JWT_SECRET_ID and JWT_SECRET', inTempDir(async (dir) => {
    const result = await serveFailingIn(dir, { NODE_ENV: 'production' });
    expectOneLine(result, /no token secret: set JWT_SECRET_ID \(or JWT_SECRET\)/);
  }));

  it('a JWT_SECRET shorter than 32 bytes is refused without echoing it', inTempDir(async (dir) => {
    const result = await serveFailingIn(dir, { JWT_SECRET: 'too-short-secret' });
    expectOneLine(result, /JWT_SECRET is 16 bytes; at least 32 are required/);
    expect(result.stderr).not.toContain('too-short-secret');
  }));

  it('TLS_CERT_FILE without TLS_KEY_FILE names both variables', inTempDir(async (dir) => {
    const cert = join(dir.path, 'cert.pem');
    writeFileSync(cert, 'not really a certificate');
    expectOneLine(await serveFailingIn(dir, { TLS_CERT_FILE: cert }), /TLS_CERT_FILE and TLS_KEY_FILE must be set together/);
  }));

  it('an unreadable TLS file is named', inTempDir(async (dir) => {
    const result = await serveFailingIn(dir, { TLS_CERT_FILE: join(dir.path, 'missing-cert.pem'), TLS_KEY_FILE: join(dir.path, 'missing-key.pem'), JWT_SECRET: testSecret });
    expectOneLine(result, /TLS_(CERT|KEY)_FILE: cannot read .*missing-(cert|key)\.pem \(ENOENT\)/);
  }));

  it('a port already in use is named, with the variable to change', inTempDir(async (dir) => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    const port = await new Promise<number>((resolvePort) =>
      blocker.listen(0, '127.0.0.1', () => resolvePort((blocker.address() as { port: number }).port)),
    );
    try {
      const result = await runCli(['serve'], baseEnv(dir.path, { PORT: String(port) }), dir.path);
      expectOneLine(result, new RegExp(`PORT ${port} is already in use on 127\\.0\\.0\\.1; set PORT to a free port`));
    } finally {
      blocker.close();
    }
  }));

  it('a configuration error leaves no database behind', inTempDir(async (dir) => {
    await serveFailingIn(dir, { JWT_SECRET: 'short' });
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(dir.path, 'videos.sqlite'))).toBe(false);
  }));
});
