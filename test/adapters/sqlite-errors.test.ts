// Driver failures become domain errors at the adapter's edge (STYLE §4).
import { describe, expect, it } from 'vitest';
import { toDomainError } from '../../src/adapters/sqlite/errors.ts';
import { NotFound, StoreUnavailable } from '../../src/domain/errors.ts';

const sqliteError = (code: string): Error => Object.assign(new Error(`raw driver text for ${code}`), { code });

const transient = ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED', 'SQLITE_IOERR_FSYNC', 'SQLITE_FULL'];
const unusable = ['SQLITE_READONLY_DBMOVED', 'SQLITE_CANTOPEN'];

describe('SQLite error translation', () => {
  it.each([...transient, ...unusable])(
    '%s becomes StoreUnavailable, keeping the driver error only as its cause',
    (code) => {
      const original = sqliteError(code);
      const translated = toDomainError(original);
      expect(translated).toBeInstanceOf(StoreUnavailable);
      expect(translated.message).not.toContain('raw driver text');
      expect(translated.cause).toBe(original);
    },
  );

  it('any other SQLite failure becomes a plain error naming only its code', () => {
    const translated = toDomainError(sqliteError('SQLITE_CORRUPT'));
    expect(translated).not.toBeInstanceOf(StoreUnavailable);
    expect(translated.message).toBe('sqlite store failed (SQLITE_CORRUPT)');
  });

  it('domain errors pass through unchanged', () => {
    const notFound = new NotFound('video x not found');
    expect(toDomainError(notFound)).toBe(notFound);
  });
});
