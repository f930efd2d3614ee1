import { describe, expect, it } from 'vitest';

import { connectDb, createDb } from '../src/client.js';
import {
  DbConfigError,
  DbConnectionError,
  describeDbError,
  isUniqueConstraintError,
} from '../src/errors.js';
import { migrate, migrationStatus } from '../src/migrate/index.js';

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the promise to reject');
}

/** Asserts a one-line message that contains every fragment. */
function expectOneLine(err: Error, ...fragments: string[]): void {
  const line = describeDbError(err);
  expect(line).not.toContain('\n');
  for (const fragment of fragments) expect(line).toContain(fragment);
}

describe('bad database settings', () => {
  it('a malformed DATABASE_URL fails createDb with one line', () => {
    let error: unknown;
    try {
      createDb('mysql://root@localhost/ganmod');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DbConfigError);
    expectOneLine(error as Error, 'scheme "mysql:" is not supported');
  });

  it('an unreachable PostgreSQL fails connectDb with host:port and the cause', async () => {
    const error = await rejectionOf(connectDb('postgresql://postgres@127.0.0.1:1/ganmod'));
    expect(error).toBeInstanceOf(DbConnectionError);
    expect(error.message).toBe(
      'Cannot connect to PostgreSQL at 127.0.0.1:1 (database "ganmod"): connection refused',
    );
  });

  it('a missing database is named', async () => {
    const error = await rejectionOf(
      connectDb('postgresql://postgres@127.0.0.1:5432/ganmod_no_such_database'),
    );
    expect(error).toBeInstanceOf(DbConnectionError);
    expectOneLine(error, '127.0.0.1:5432', 'database "ganmod_no_such_database" does not exist');
  });

  it('an unknown role is named', async () => {
    const error = await rejectionOf(connectDb('postgresql://no_such_role@127.0.0.1:5432/postgres'));
    expect(error).toBeInstanceOf(DbConnectionError);
    expectOneLine(error, '127.0.0.1:5432', 'no_such_role');
  });

  it('migrations report an unreachable server the same way', async () => {
    for (const run of [migrate, migrationStatus]) {
      const error = await rejectionOf(run('postgresql://postgres@127.0.0.1:1/ganmod'));
      expect(error).toBeInstanceOf(DbConnectionError);
      expectOneLine(error, '127.0.0.1:1', 'connection refused');
    }
  });

  it('describeDbError reduces any error to its first line', () => {
    expect(describeDbError(new TypeError('first\nsecond'))).toBe('TypeError: first');
    expect(describeDbError('plain')).toBe('plain');
    expect(isUniqueConstraintError({ code: 'P2002' })).toBe(true);
    expect(isUniqueConstraintError(new Error('x'))).toBe(false);
  });
});
