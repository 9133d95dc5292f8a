// Loads the dataset into a new SQLite file before the service starts: the store's own
// opening code creates and migrates the file, and the rows are its own row mapping,
// inserted in large transactions (a row-at-a-time load through the writer thread would
// take minutes under synchronous=FULL).
import { openDatabase } from '../../src/adapters/sqlite/open.ts';
import { toRow } from '../../src/adapters/sqlite/row.ts';
import { videoBatches, type DatasetSize } from './dataset.ts';

const batchSize = 10_000;

/** Creates `path` with the current schema and every video of `size`; returns how many were written. */
export async function loadSqlite(path: string, size: DatasetSize): Promise<number> {
  // NORMAL only for this load: the service reopens the file with its own default (FULL).
  const { connection, db } = await openDatabase({ path, synchronous: 'NORMAL' });
  try {
    const columns = Object.keys(toRow(videoBatches(size, 1).next().value![0]!));
    const insert = connection.prepare(
      `INSERT INTO videos (${columns.join(', ')}) VALUES (${columns.map((column) => `@${column}`).join(', ')})`,
    );
    const insertAll = connection.transaction((rows: ReturnType<typeof toRow>[]) => {
      for (const row of rows) insert.run(row);
    });
    let written = 0;
    for (const batch of videoBatches(size, batchSize)) {
      insertAll(batch.map(toRow));
      written += batch.length;
    }
    connection.pragma('wal_checkpoint(TRUNCATE)');
    connection.exec('ANALYZE');
    return written;
  } finally {
    await db.destroy();
  }
}
