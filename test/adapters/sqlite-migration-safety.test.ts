// Each migration and its bookkeeping row commit together or not at all (BEGIN IMMEDIATE),
// so a migration that fails or a process that dies inside one leaves a database that
// opens next time, and two processes opening one new file both start, each migration
// running once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql, type Kysely, type Migration } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteOpenError } from '../../src/adapters/sqlite/errors.ts';
import { migrations } from '../../src/adapters/sqlite/migrations/index.ts';
import { openDatabase } from '../../src/adapters/sqlite/open.ts';
import { startSqliteChild } from '../support/sqlite-processes.ts';

const directory = mkdtempSync(join(tmpdir(), 'videosvc-migration-safety-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let fileCount = 0;
const freshPath = (): string => join(directory, `videos-${++fileCount}.sqlite`);

function inspect<T>(path: string, read: (connection: BetterSqlite3.Database) => T): T {
  const connection = new BetterSqlite3(path, { readonly: true });
  try {
    return read(connection);
  } finally {
    connection.close();
  }
}

const applied = (path: string): string[] =>
  inspect(path, (c) => c.prepare('select name from kysely_migration order by name').pluck().all() as string[]);
const tables = (path: string): string[] =>
  inspect(path, (c) => c.prepare("select name from sqlite_master where type = 'table' order by name").pluck().all() as string[]);

/** Every migration this build has, in the order they run. */
const known = Object.keys(migrations).sort();

/** The real migrations plus 9999_half, which creates a table and then fails or not. */
function withHalfMigration(fails: boolean): Record<string, Migration> {
  return {
    ...migrations,
    '9999_half': {
      async up(db: Kysely<any>) {
        await sql`create table half_built (id integer primary key)`.execute(db);
        if (fails) throw new Error('boom after the first statement');
        await sql`create table second_half (id integer primary key)`.execute(db);
      },
    },
  };
}

describe('SQLite migrations are atomic', () => {
  it('a migration that throws midway leaves neither its table nor its row, and the next open runs it whole', async () => {
    const path = freshPath();
    const error = await openDatabase({ path }, withHalfMigration(true)).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(SqliteOpenError);
    expect((error as Error).message).toBe(
      `cannot migrate database ${path}: 9999_half failed: boom after the first statement`,
    );
    expect(applied(path)).toEqual(known);
    expect(tables(path)).not.toContain('half_built');

    const { db } = await openDatabase({ path }, withHalfMigration(false));
    await db.destroy();
    expect(applied(path)).toEqual([...known, '9999_half']);
    expect(tables(path)).toEqual(expect.arrayContaining(['half_built', 'second_half', 'videos']));
  });

  it('a process killed (SIGKILL) inside a migration leaves a database that opens and migrates next time', async () => {
    const path = freshPath();
    const crashed = await startSqliteChild('migrate-crash', path).done;
    expect(crashed.signal).toBe('SIGKILL');
    expect(crashed.lines).toEqual([]);

    // The child's migration was 9999_crash; here it is a working one of the same name.
    const fixed = { ...migrations, '9999_crash': withHalfMigration(false)['9999_half']! };
    const { db } = await openDatabase({ path }, fixed);
    await db.destroy();
    expect(applied(path)).toEqual([...known, '9999_crash']);
    expect(tables(path)).toEqual(expect.arrayContaining(['half_built', 'second_half', 'videos']));
  });

  it('two processes opening one new file at once both start, and each migration runs exactly once', async () => {
    for (let round = 0; round < 2; round++) {
      const path = freshPath();
      // Both wait for the same instant, after their (slow, tsx) start-up.
      const startAt = String(Date.now() + 4_000);
      const racers = [startSqliteChild('migrate-slow', path, startAt), startSqliteChild('migrate-slow', path, startAt)];
      const results = await Promise.all(racers.map((racer) => racer.done));
      for (const result of results) {
        expect({ lines: result.lines, exitCode: result.exitCode }).toEqual({ lines: ['migrated'], exitCode: 0 });
      }
      expect(applied(path)).toEqual([...known, '9999_slow']);
      expect(tables(path)).toEqual(expect.arrayContaining(['slow_one', 'slow_two', 'videos']));
    }
  });
});
