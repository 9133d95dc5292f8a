// A second process on an SQLite file, for tests that need one: it opens the store, races
// a migration, crashes inside one, or holds the write lock. Run with
// `node --import tsx test/support/sqlite-child.ts <mode> <path> [arg]`; it prints one
// line saying what it did (or `error: <message>` and exit code 1).
import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { sql, type Kysely, type Migration } from 'kysely';
import { openDatabase } from '../../src/adapters/sqlite/open.ts';
import { SqliteVideoStore } from '../../src/adapters/sqlite/store.ts';
import { migrations } from '../../src/adapters/sqlite/migrations/index.ts';

const [mode, path, arg] = process.argv.slice(2);
if (path === undefined) throw new Error('usage: sqlite-child.ts <mode> <path> [arg]');

/** The real migrations plus a slow one that builds two tables with a pause between them. */
const slowMigrations: Record<string, Migration> = {
  ...migrations,
  '9999_slow': {
    async up(db: Kysely<any>) {
      await sql`create table slow_one (id integer primary key)`.execute(db);
      await sleep(300);
      await sql`create table slow_two (id integer primary key)`.execute(db);
    },
  },
};

/** The real migrations plus one that dies (SIGKILL, no clean-up) after its first statement. */
const crashingMigrations: Record<string, Migration> = {
  ...migrations,
  '9999_crash': {
    async up(db: Kysely<any>) {
      await sql`create table half_built (id integer primary key)`.execute(db);
      process.kill(process.pid, 'SIGKILL');
      await sleep(10_000);
    },
  },
};

async function run(): Promise<string> {
  switch (mode) {
    case 'open': {
      const store = await SqliteVideoStore.open({ path: path! });
      await store.close();
      return 'opened';
    }
    case 'migrate-slow': {
      // Both racers start at the same wall-clock instant (arg), after their slow start-up.
      await sleep(Math.max(0, Number(arg) - Date.now()));
      const { db } = await openDatabase({ path: path!, busyTimeoutMs: 10_000 }, slowMigrations);
      await db.destroy();
      return 'migrated';
    }
    case 'migrate-crash': {
      await openDatabase({ path: path! }, crashingMigrations);
      return 'not crashed';
    }
    case 'hold-lock': {
      const connection = new BetterSqlite3(path!);
      connection.exec('begin immediate');
      console.log('locked');
      await sleep(Number(arg));
      connection.exec('rollback');
      connection.close();
      return 'released';
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

run().then(
  (line) => console.log(line),
  (error: unknown) => {
    console.log(`error: ${(error as Error).message}`);
    process.exitCode = 1;
  },
);
