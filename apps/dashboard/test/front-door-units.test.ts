// The pure parts of the front door: origin configuration, trusted proxies and forwarded headers,
// the body check, the listen options and the throttle's arithmetic and bound.
import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { parseOriginConfig, isTrustedOrigin } from '~/server/config/origins';
import { SignInThrottle, DEFAULT_THROTTLE } from '~/server/auth/sign-in-throttle';
import { isServedAuthEndpoint } from '~/server/auth/endpoints';
import { refuseBody } from '../server/body-limit';
import { applyForwardingPolicy } from '../server/forwarded-headers';
import { parseListenOptions } from '../server/listen-options';
import { parseTrustedProxies } from '../server/trusted-proxies';

describe('origin configuration', () => {
  it('trusts BETTER_AUTH_URL, its loopback aliases and GANMOD_TRUSTED_ORIGINS only', () => {
    const config = parseOriginConfig({
      NODE_ENV: 'production',
      BETTER_AUTH_URL: 'http://127.0.0.1:3000',
      GANMOD_TRUSTED_ORIGINS: 'https://ganmod.example.com, https://admin.example.com/',
    });
    expect(config.baseURL).toBe('http://127.0.0.1:3000');
    expect(config.origins).toEqual([
      'http://localhost:3000',
      'http://127.0.0.1:3000',
      'http://[::1]:3000',
      'https://ganmod.example.com',
      'https://admin.example.com',
    ]);
    expect(isTrustedOrigin('http://localhost:3000', config.origins)).toBe(true);
    expect(isTrustedOrigin('http://localhost:3001', config.origins)).toBe(false);
    expect(isTrustedOrigin('http://rebind.evil:3000', config.origins)).toBe(false);
    expect(isTrustedOrigin('null', config.origins)).toBe(false);
  });

  it('adds no aliases to a public host, and reads the old variable name', () => {
    const config = parseOriginConfig({
      NODE_ENV: 'production',
      BETTER_AUTH_URL: 'https://ganmod.example.com',
      BETTER_AUTH_TRUSTED_ORIGINS: 'https://other.example.com',
    });
    expect(config.origins).toEqual(['https://ganmod.example.com', 'https://other.example.com']);
  });

  it('names the variable when a value is wrong or missing', () => {
    expect(() => parseOriginConfig({ NODE_ENV: 'production' })).toThrow(
      /BETTER_AUTH_URL is not set/,
    );
    expect(() =>
      parseOriginConfig({ NODE_ENV: 'production', BETTER_AUTH_URL: 'ganmod.example.com' }),
    ).toThrow(/BETTER_AUTH_URL: "ganmod.example.com" is not a URL/);
    expect(() =>
      parseOriginConfig({
        NODE_ENV: 'production',
        BETTER_AUTH_URL: 'https://ganmod.example.com',
        GANMOD_TRUSTED_ORIGINS: 'ftp://files.example.com',
      }),
    ).toThrow(/GANMOD_TRUSTED_ORIGINS: "ftp:\/\/files.example.com" must start with http/);
  });

  it('defaults to localhost:$PORT outside production (next dev)', () => {
    expect(parseOriginConfig({ NODE_ENV: 'development', PORT: '4000' }).origins).toContain(
      'http://127.0.0.1:4000',
    );
  });
});

describe('trusted proxies and forwarded headers', () => {
  it('parses addresses, ranges and loopback, and names the variable on error', () => {
    const proxies = parseTrustedProxies('10.0.0.0/8, 192.0.2.1, loopback');
    expect(proxies.has('10.200.3.4')).toBe(true);
    expect(proxies.has('::ffff:10.1.2.3')).toBe(true);
    expect(proxies.has('192.0.2.1')).toBe(true);
    expect(proxies.has('192.0.2.2')).toBe(false);
    expect(proxies.has('127.0.0.2')).toBe(true);
    expect(proxies.has('::1')).toBe(true);
    expect(parseTrustedProxies(undefined).has('127.0.0.1')).toBe(false);
    expect(() => parseTrustedProxies('10.0.0.0/33')).toThrow(/TRUSTED_PROXIES is malformed/);
    expect(() => parseTrustedProxies('proxy.internal')).toThrow(/"proxy.internal"/);
  });

  it('drops forwarded headers from an untrusted peer and stamps its own address', () => {
    const headers: IncomingHttpHeaders = {
      'x-forwarded-for': '203.0.113.9',
      'x-forwarded-host': 'rebind.evil',
      'x-forwarded-proto': 'https',
      forwarded: 'for=203.0.113.9',
      'x-ganmod-client-ip': '203.0.113.10',
    };
    expect(applyForwardingPolicy(headers, '::ffff:127.0.0.1', parseTrustedProxies(''))).toBe(
      '127.0.0.1',
    );
    expect(headers).toEqual({ 'x-ganmod-client-ip': '127.0.0.1' });
  });

  it('behind a trusted proxy, takes the first untrusted hop from the right', () => {
    const proxies = parseTrustedProxies('10.0.0.0/8');
    const headers: IncomingHttpHeaders = {
      'x-forwarded-for': '1.2.3.4, 198.51.100.7, 10.0.0.5',
      'x-forwarded-proto': 'https',
      'x-ganmod-client-ip': '1.1.1.1',
    };
    expect(applyForwardingPolicy(headers, '10.0.0.1', proxies)).toBe('198.51.100.7');
    expect(headers['x-forwarded-proto']).toBe('https');
    expect(headers['x-ganmod-client-ip']).toBe('198.51.100.7');
    expect(applyForwardingPolicy({}, '10.0.0.1', proxies)).toBe('10.0.0.1');
    expect(
      applyForwardingPolicy({ 'x-forwarded-for': 'garbage, 10.0.0.9' }, '10.0.0.1', proxies),
    ).toBe('10.0.0.9');
  });
});

describe('body check', () => {
  const limit = 64 * 1024;
  it('refuses declared lengths over the limit and undeclared chunked bodies', () => {
    expect(refuseBody('/api/trpc/x', { 'content-length': String(limit) }, limit)).toBeNull();
    expect(refuseBody('/api/trpc/x', { 'content-length': String(limit + 1) }, limit)?.status).toBe(
      413,
    );
    expect(refuseBody('/api/auth/x', { 'transfer-encoding': 'chunked' }, limit)?.status).toBe(411);
    expect(refuseBody('/queue', {}, limit)).toBeNull();
  });

  it('leaves the platform API to its own limit, but not through dot segments', () => {
    expect(refuseBody('/api/v1/submissions', { 'content-length': '9999999' }, limit)).toBeNull();
    expect(
      refuseBody('/api/v1/../auth/sign-in/email', { 'content-length': '9999999' }, limit),
    ).not.toBeNull();
  });
});

describe('listen options', () => {
  it('reads --hostname/--port like next start, and names a bad one', () => {
    expect(parseListenOptions(['--hostname', '127.0.0.1', '-p', '4000'], {})).toEqual({
      hostname: '127.0.0.1',
      port: 4000,
    });
    expect(parseListenOptions(['--port=5000'], { HOSTNAME: '::' })).toEqual({
      hostname: '::',
      port: 5000,
    });
    expect(() => parseListenOptions(['--port', 'x'], {})).toThrow(/--port/);
    expect(() => parseListenOptions(['--dev'], {})).toThrow(/Unknown option --dev/);
  });
});

describe('sign-in throttle arithmetic', () => {
  it('backs off exponentially per (address, account) after the free failures', () => {
    const throttle = new SignInThrottle();
    let now = 0;
    for (let i = 0; i < 5; i++) {
      const d = throttle.begin('a', 'mo', now);
      expect(d.allowed).toBe(true);
      if (d.allowed) throttle.finish(d.attempt, 'failure', now);
    }
    expect(throttle.begin('a', 'mo', now)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    expect(throttle.begin('b', 'mo', now).allowed).toBe(true);
    expect(throttle.begin('a', 'eve', now).allowed).toBe(true);
    now += 1000;
    const sixth = throttle.begin('a', 'mo', now);
    expect(sixth.allowed).toBe(true);
    if (sixth.allowed) throttle.finish(sixth.attempt, 'failure', now);
    expect(throttle.begin('a', 'mo', now + 1000)).toMatchObject({ retryAfterSeconds: 1 });
    expect(throttle.begin('a', 'mo', now)).toMatchObject({ retryAfterSeconds: 2 });
  });

  it('counts a burst of parallel attempts before their verdicts, and undoes non-verdicts', () => {
    const throttle = new SignInThrottle();
    const burst = Array.from({ length: 10 }, () => throttle.begin('a', 'mo', 0));
    expect(burst.filter((d) => d.allowed)).toHaveLength(5);
    for (const d of burst) if (d.allowed) throttle.finish(d.attempt, 'none', 0);
    expect(throttle.begin('a', 'mo', 0).allowed).toBe(true);
  });

  it('stays within its bound however many addresses and accounts it sees', () => {
    const throttle = new SignInThrottle({ ...DEFAULT_THROTTLE, maxEntries: 100 });
    for (let i = 0; i < 1000; i++) throttle.begin(`addr-${i}`, `acct-${i}`, i);
    expect(throttle.size.pairs).toBeLessThanOrEqual(100);
    expect(throttle.size.addresses).toBeLessThanOrEqual(100);
  });
});

describe('better-auth endpoints served', () => {
  it('serves sign-in, sign-out and the session only, matched exactly', () => {
    expect(isServedAuthEndpoint('POST', '/api/auth/sign-in/email')).toBe(true);
    expect(isServedAuthEndpoint('GET', '/api/auth/get-session')).toBe(true);
    for (const path of [
      '/api/auth/update-user',
      '/api/auth/Sign-In/email',
      '/api/auth/sign-in/email/',
    ])
      expect(isServedAuthEndpoint('POST', path), path).toBe(false);
    expect(isServedAuthEndpoint('DELETE', '/api/auth/sign-out')).toBe(false);
  });
});
