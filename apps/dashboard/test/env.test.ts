import { mkdtempSync, readFileSync, statSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { authSecret, authSecretFile } from '~/server/env';

describe('the auth secret', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'ganmod-secret-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('comes from BETTER_AUTH_SECRET when set, which must be long enough', () => {
    const env = { NODE_ENV: 'production' as const, GANMOD_DATA_DIR: dataDir() };
    expect(() => authSecret({ ...env, BETTER_AUTH_SECRET: 'short' })).toThrow(/at least 32/);
    expect(authSecret({ ...env, BETTER_AUTH_SECRET: 'x'.repeat(32) })).toBe('x'.repeat(32));
    // The variable wins: no file is written.
    expect(() => statSync(authSecretFile(env))).toThrow(/ENOENT/);
  });

  it('is generated on the first start under the data dir, mode 0600, and reused after', () => {
    const env = { NODE_ENV: 'production' as const, GANMOD_DATA_DIR: dataDir() };
    const first = authSecret(env);
    expect(first.length).toBeGreaterThanOrEqual(64);
    const file = authSecretFile(env);
    expect(file).toBe(join(env.GANMOD_DATA_DIR, 'secrets', 'auth-secret'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(file, '..')).mode & 0o777).toBe(0o700);
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    expect(authSecret(env)).toBe(first);
    // Another install has another secret.
    expect(authSecret({ ...env, GANMOD_DATA_DIR: dataDir() })).not.toBe(first);
  });

  it('tightens a kept secret file that others could read', () => {
    const env = { NODE_ENV: 'production' as const, GANMOD_DATA_DIR: dataDir() };
    const first = authSecret(env);
    chmodSync(authSecretFile(env), 0o644);
    expect(authSecret(env)).toBe(first);
    expect(statSync(authSecretFile(env)).mode & 0o777).toBe(0o600);
  });

  it('is never a constant of the repository', () => {
    const env = { NODE_ENV: 'development' as const, GANMOD_DATA_DIR: dataDir() };
    writeFileSync(join(env.GANMOD_DATA_DIR, 'marker'), '');
    expect(authSecret(env)).not.toMatch(/dev|secret/i);
  });
});
