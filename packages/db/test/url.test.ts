import { resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

import { DbConfigError } from '../src/errors.js';
import { parseDatabaseUrl, providerOf, redactUrl, resolveDatabaseUrl } from '../src/url.js';

describe('resolveDatabaseUrl', () => {
  it('prefers DATABASE_URL', () => {
    expect(resolveDatabaseUrl({ DATABASE_URL: 'postgresql://h/db', GANMOD_DATA_DIR: '/x' })).toBe(
      'postgresql://h/db',
    );
  });

  it('falls back to ganmod.db in GANMOD_DATA_DIR, else ./data', () => {
    expect(resolveDatabaseUrl({ GANMOD_DATA_DIR: '/srv/ganmod' })).toBe(
      'file:/srv/ganmod/ganmod.db',
    );
    // Resolved against the working directory once, by @ganmod/config.
    expect(resolveDatabaseUrl({})).toBe(`file:${resolve('data/ganmod.db')}`);
  });
});

describe('parseDatabaseUrl', () => {
  it('resolves relative SQLite paths against cwd', () => {
    expect(parseDatabaseUrl('file:./data/g.db', '/work/app')).toMatchObject({
      provider: 'sqlite',
      path: '/work/app/data/g.db',
      libsqlUrl: 'file:/work/app/data/g.db',
    });
    expect(parseDatabaseUrl('file:///abs/g.db', '/elsewhere')).toMatchObject({ path: '/abs/g.db' });
  });

  it('splits PostgreSQL URLs into fields', () => {
    expect(
      parseDatabaseUrl(
        'postgres://alice:s%40cret@db.example:6543/ganmod?schema=app&sslmode=require',
      ),
    ).toMatchObject({
      provider: 'postgres',
      host: 'db.example',
      port: 6543,
      user: 'alice',
      password: 's@cret',
      database: 'ganmod',
      schema: 'app',
      sslmode: 'require',
      address: 'db.example:6543',
    });
    expect(parseDatabaseUrl('postgresql://localhost/ganmod')).toMatchObject({ port: 5432 });
  });

  it('names the provider', () => {
    expect(providerOf('file:x.db')).toBe('sqlite');
    expect(providerOf('postgresql://h/db')).toBe('postgres');
    expect(providerOf('POSTGRES://h/db')).toBe('postgres');
  });

  it.each([
    ['', /DATABASE_URL is empty/],
    ['mysql://root@localhost/ganmod', /scheme "mysql:" is not supported/],
    ['./data/ganmod.db', /has no scheme/],
    ['file:', /names no SQLite file path/],
    ['postgresql://', /names no host|not a valid URL/],
    ['postgresql://localhost', /must name one database/],
    ['postgresql://localhost:99999/db', /not a valid URL|invalid port/],
  ])('rejects %j with one line naming the problem', (url, pattern) => {
    let error: unknown;
    try {
      parseDatabaseUrl(url);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DbConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(pattern);
    expect(message).not.toContain('\n');
  });

  it('never prints the password', () => {
    expect(redactUrl('postgresql://bob:hunter2@h:5432/db')).toBe('postgresql://bob:***@h:5432/db');
    expect(() => parseDatabaseUrl('postgresql://bob:hunter2@h:5432')).toThrow(/bob:\*\*\*@/);
  });
});
