import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ENVIRONMENT_VARIABLES,
  EnvironmentError,
  loadEnvironment,
  parseEnvironment,
} from '../src/index.js';

const cwd = '/srv/ganmod';

describe('parseEnvironment', () => {
  it('applies the defaults of an empty environment, paths under ./data', () => {
    const env = parseEnvironment({}, cwd);
    expect(env).toMatchObject({
      dataDir: '/srv/ganmod/data',
      artifactsDir: '/srv/ganmod/data/artifacts',
      datasetsDir: '/srv/ganmod/data/datasets',
      uploadsDir: '/srv/ganmod/data/uploads',
      secretsDir: '/srv/ganmod/data/secrets',
      databaseUrl: 'file:/srv/ganmod/data/ganmod.db',
      claimSeconds: 60,
      maxUploadBytes: undefined,
      port: 3000,
      host: '127.0.0.1',
      logLevel: 'info',
      demo: false,
    });
  });

  it('resolves every path variable on its own and types the rest', () => {
    const env = parseEnvironment(
      {
        GANMOD_DATA_DIR: 'state',
        GANMOD_ARTIFACTS_DIR: '/mnt/artifacts',
        GANMOD_DATASETS_DIR: 'images',
        DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/ganmod',
        GANMOD_CLAIM_MINUTES: '15',
        GANMOD_DEMO: 'yes',
        GANMOD_BACKEND: 'wasm',
        PORT: '3100',
        BETTER_AUTH_URL: 'https://moderation.example.com/',
        LOG_LEVEL: 'debug',
      },
      cwd,
    );
    expect(env).toMatchObject({
      dataDir: '/srv/ganmod/state',
      artifactsDir: '/mnt/artifacts',
      datasetsDir: '/srv/ganmod/images',
      uploadsDir: '/srv/ganmod/state/uploads',
      databaseUrl: 'postgresql://postgres@127.0.0.1:5432/ganmod',
      claimSeconds: 900,
      demo: true,
      port: 3100,
      logLevel: 'debug',
    });
    expect(env.vars.GANMOD_BACKEND).toBe('wasm');
    expect(env.vars.BETTER_AUTH_URL).toBe('https://moderation.example.com');
  });

  it('normalises the trusted origins list, preferring the new name to the old', () => {
    const env = parseEnvironment(
      {
        GANMOD_TRUSTED_ORIGINS: ' https://a.example.com/ ,, http://127.0.0.1:8080',
        BETTER_AUTH_TRUSTED_ORIGINS: 'https://old.example.com',
      },
      cwd,
    );
    expect(env.trustedOrigins).toEqual(['https://a.example.com', 'http://127.0.0.1:8080']);
    expect(parseEnvironment({}, cwd).trustedOrigins).toEqual([]);
  });

  it('takes the claim lease in seconds, the older minutes variable only when seconds is unset', () => {
    expect(parseEnvironment({ GANMOD_CLAIM_SECONDS: '20' }, cwd).claimSeconds).toBe(20);
    expect(
      parseEnvironment({ GANMOD_CLAIM_SECONDS: '20', GANMOD_CLAIM_MINUTES: '5' }, cwd).claimSeconds,
    ).toBe(20);
    expect(parseEnvironment({ GANMOD_CLAIM_MINUTES: '5' }, cwd).claimSeconds).toBe(300);
  });

  it('treats blank values as unset', () => {
    expect(parseEnvironment({ GANMOD_DATA_DIR: '  ', PORT: '' }, cwd)).toMatchObject({
      dataDir: '/srv/ganmod/data',
      port: 3000,
    });
  });

  it.each([
    [{ GANMOD_BACKEND: 'gpu' }, /^GANMOD_BACKEND: .*tensorflow.*wasm.*cpu.*\(got 'gpu'\)$/],
    [{ PORT: 'eighty' }, /^PORT: /],
    [{ PORT: '70000' }, /^PORT: must be 1-65535/],
    [{ GANMOD_CLAIM_MINUTES: '-5' }, /^GANMOD_CLAIM_MINUTES: must be positive/],
    [{ GANMOD_CLAIM_SECONDS: '1.5' }, /^GANMOD_CLAIM_SECONDS: must be a whole number/],
    [{ GANMOD_DEMO: 'maybe' }, /^GANMOD_DEMO: must be 1 or 0/],
    [
      { BETTER_AUTH_URL: 'moderation.example.com' },
      /^BETTER_AUTH_URL: "moderation.example.com" is not a URL/,
    ],
    [
      { GANMOD_TRUSTED_ORIGINS: 'https://a.example.com, ftp://files.example.com' },
      /^GANMOD_TRUSTED_ORIGINS: "ftp:\/\/files.example.com" must start with http/,
    ],
    [{ BETTER_AUTH_URL: 'https://example.com/app' }, /^BETTER_AUTH_URL: .*no path/],
    [{ GANMOD_ADMIN_EMAIL: 'admin' }, /^GANMOD_ADMIN_EMAIL: must be an email address/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: /],
  ])('refuses %j with one line naming the variable', (vars, message) => {
    const error = (() => {
      try {
        parseEnvironment(vars, cwd);
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('never echoes a secret it refuses', () => {
    expect(() => parseEnvironment({ BETTER_AUTH_SECRET: 'hunter2' }, cwd)).toThrow(
      /^BETTER_AUTH_SECRET: must be at least 32 characters[^']*$/,
    );
  });

  it('refuses a GANMOD_ variable it does not know, suggesting the one meant', () => {
    expect(() => parseEnvironment({ GANMOD_DATADIR: '/tmp/x' }, cwd)).toThrow(
      'GANMOD_DATADIR: not a ganmod variable (did you mean GANMOD_DATA_DIR?)',
    );
    expect(() => parseEnvironment({ GANMOD_COLOUR: 'blue' }, cwd)).toThrow(
      /^GANMOD_COLOUR: not a ganmod variable; see/,
    );
    // Other programs' variables are none of its business.
    expect(() => parseEnvironment({ HOME: '/root', NODE_ENV: 'test' }, cwd)).not.toThrow();
  });

  it('loadEnvironment parses once and again only when a variable changes', () => {
    const env: NodeJS.ProcessEnv = { GANMOD_DATA_DIR: '/a' };
    const first = loadEnvironment(env);
    expect(loadEnvironment(env)).toBe(first);
    env.GANMOD_DATA_DIR = '/b';
    expect(loadEnvironment(env).dataDir).toBe('/b');
  });
});

describe("the README's configuration table", () => {
  // Build and test switches are documented where they are used, not for operators.
  const internal = new Set([
    'GANMOD_REQUIRE_NATIVE',
    'GANMOD_NATIVE_BUILD',
    'GANMOD_SCREENSHOTS',
    'GANMOD_SCREENSHOT_STEPS',
    'GANMOD_GUARDED_SERVER',
    'GANMOD_NEW_PASSWORD',
    'BETTER_AUTH_TRUSTED_ORIGINS',
  ]);

  it('lists every variable an operator can set', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../../README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Configuration'));
    const missing = ENVIRONMENT_VARIABLES.filter(
      (name) => !internal.has(name) && !table.includes(`\`${name}\``),
    );
    expect(missing).toEqual([]);
  });
});
