// `videosvc migrate sqlite-to-dynamodb [--sqlite PATH]`: copies every video from a SQLite
// database into the DynamoDB table configured as for `serve`, never overwriting (SPEC §7).
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseConfig, readEnvironment, type Config } from '../app/config.ts';
import { UsageError, parseCommandLine, printOut, type Command } from './command.ts';
import { reportProgress } from './progress.ts';

const usage = `usage: videosvc migrate sqlite-to-dynamodb [--sqlite PATH]

Copies every video from the SQLite database into the DynamoDB table configured as for
\`videosvc serve\` (DYNAMO_TABLE / SSM_PARAMETER_PREFIX, AWS_REGION,
AWS_ENDPOINT_URL_DYNAMODB), keeping every field: ids, times, status, labels. A video
already in the table is never overwritten, so the command is safe to re-run. Prints how
many videos were copied and how many skipped; a run longer than a second reports its
progress (count and rate) on stderr once a second.

options:
  --sqlite <path>  the database to copy from (default: SQLITE_PATH, else ./data/videos.sqlite)
  -h, --help       show this help
`;

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'sqlite-to-dynamodb: copy every video from SQLite into the DynamoDB table',
  usage,
  async run(args) {
    const { values, positionals } = parseCommandLine('migrate', () =>
      parseArgs({
        args: [...args],
        options: { sqlite: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
        allowPositionals: true,
      }),
    );
    if (values.help) {
      await printOut(usage);
      return 0;
    }
    const [direction, ...extra] = positionals;
    if (direction !== 'sqlite-to-dynamodb') {
      throw new UsageError('migrate', direction === undefined ? 'name the direction: sqlite-to-dynamodb' : `unknown direction "${direction}"`);
    }
    if (extra.length > 0) throw new UsageError('migrate', `unexpected argument "${extra[0]}"`);
    if (values.sqlite !== undefined && values.sqlite.trim() === '') throw new UsageError('migrate', '--sqlite needs a path');
    const config = parseConfig(readEnvironment());
    return migrateToDynamo(config, values.sqlite ?? config.sqlite.path);
  },
};

async function migrateToDynamo(config: Config, sqlitePath: string): Promise<number> {
  // Opening a missing file would create an empty database and "copy" nothing; say so instead.
  if (sqlitePath === ':memory:' || !existsSync(sqlitePath)) {
    throw new Error(`SQLite database ${sqlitePath} not found; pass --sqlite PATH or set SQLITE_PATH`);
  }
  const [{ SqliteVideoStore }, { migrateVideos }, { openDynamoStore }, { createLogger }] = await Promise.all([
    import('../adapters/sqlite/store.ts'),
    import('../app/migrate.ts'),
    import('../main/dynamo-store.ts'),
    import('../adapters/log.ts'),
  ]);
  // stdout is for the result line; warnings (e.g. about the owner index) go to stderr.
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  const source = await SqliteVideoStore.open({ path: sqlitePath, synchronous: config.sqlite.synchronous });
  try {
    const target = await openDynamoStore(config, logger);
    const table = String(target.description.table);
    let progress = { copied: 0, skipped: 0 };
    const reporter = reportProgress('migrate sqlite-to-dynamodb', 'videos');
    try {
      const result = await migrateVideos(source, target.store, {
        onProgress: (now) => {
          progress = now;
          reporter.update(now.copied + now.skipped, `${now.copied + now.skipped} videos done (${now.copied} copied, ${now.skipped} already there)`);
        },
      }).finally(() => reporter.stop());
      await printOut(`copied ${result.copied} videos from ${sqlitePath} to DynamoDB table ${table}; skipped ${result.skipped} already there\n`);
      return 0;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `copying ${sqlitePath} into DynamoDB table ${table} stopped after ${progress.copied} copied and ${progress.skipped} skipped: ${reason}; re-run to continue`,
      );
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}
