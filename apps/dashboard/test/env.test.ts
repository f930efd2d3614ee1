import { describe, expect, it } from 'vitest';
import { authSecret } from '~/server/env';

describe('BETTER_AUTH_SECRET', () => {
  it('is required in production, with an error that says how to make one', () => {
    expect(() => authSecret({ NODE_ENV: 'production' })).toThrow(
      /BETTER_AUTH_SECRET is not set.*openssl rand/,
    );
    expect(() => authSecret({ NODE_ENV: 'production', BETTER_AUTH_SECRET: 'short' })).toThrow(
      /at least 32/,
    );
    expect(authSecret({ NODE_ENV: 'production', BETTER_AUTH_SECRET: 'x'.repeat(32) })).toBe(
      'x'.repeat(32),
    );
  });

  it('falls back to a development secret outside production', () => {
    expect(authSecret({ NODE_ENV: 'development' })).toMatch(/dev/);
  });
});
