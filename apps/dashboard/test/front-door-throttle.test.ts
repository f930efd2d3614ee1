// Sign-in throttling against the real built dashboard. The server takes the client's address
// from the socket (127.0.0.1 and 127.0.0.2 are two clients on loopback), so rotating
// X-Forwarded-For gains an attacker nothing and the attacker's failures hold back nobody else.
import { seed } from '@ganmod/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type RunningDashboard } from './server';
import { rawRequest, type RawResponse } from './support/raw-http';
import { createTempDb, type TempDb } from './support/temp-db';
import { createRoleUsers } from './support/users';

const PASSWORD = 'correct horse battery';

function signInAttempt(
  dashboard: RunningDashboard,
  email: string,
  password: string,
  options: { headers?: Record<string, string>; localAddress?: string } = {},
): Promise<RawResponse> {
  return rawRequest(`${dashboard.url}/api/auth/sign-in/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: dashboard.url, ...options.headers },
    body: JSON.stringify({ email, password }),
    localAddress: options.localAddress,
  });
}

describe('sign-in throttle, no trusted proxy (production build, real SQLite)', () => {
  let t: TempDb;
  let dashboard: RunningDashboard;

  beforeAll(async () => {
    t = await createTempDb('throttle');
    await seed(t.db, { adminPassword: 'throttle-gate-passphrase', demo: false });
    await createRoleUsers(t.db, PASSWORD);
    dashboard = await startDashboard({ DATABASE_URL: t.url, GANMOD_DATA_DIR: t.dir });
  });

  afterAll(async () => {
    await dashboard?.stop();
    await t?.cleanup();
  });

  it('throttles guesses with rotating X-Forwarded-For, and nobody else is locked out', async () => {
    const statuses: number[] = [];
    let throttled: RawResponse | undefined;
    for (let i = 0; i < 45; i++) {
      const res = await signInAttempt(dashboard, 'mo@test.local', `wrong-password-${i}`, {
        headers: {
          'x-forwarded-for': `203.0.113.${i + 1}`,
          'x-ganmod-client-ip': `198.51.100.${i}`,
        },
      });
      statuses.push(res.status);
      throttled ??= res.status === 429 ? res : undefined;
    }
    const first429 = statuses.indexOf(429);
    expect(first429, statuses.join(',')).toBeGreaterThan(0);
    expect(first429).toBeLessThan(44);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(10);
    expect(Number(throttled!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(throttled!.json<{ error: string }>().error).toMatch(/Too many failed sign-ins/);

    // Meanwhile, from another address: another account, and the attacked account itself.
    for (const email of ['eve@test.local', 'mo@test.local']) {
      const res = await signInAttempt(dashboard, email, PASSWORD, { localAddress: '127.0.0.2' });
      expect(res.status, email).toBe(200);
    }
    // And from the attacker's own address, an account it did not attack.
    expect((await signInAttempt(dashboard, 'ada@test.local', PASSWORD)).status).toBe(200);
  });

  it('caps the failures of one address across accounts', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await signInAttempt(dashboard, `nobody-${i}@test.local`, 'wrong-password', {
        localAddress: '127.0.0.3',
      });
      statuses.push(res.status);
    }
    // 20 per address (below better-auth's own 30 a minute, so this is the throttle's answer).
    expect(statuses.indexOf(429), statuses.join(',')).toBe(20);
    expect(new Set(statuses.slice(20))).toEqual(new Set([429]));
    // The cap is per address: another address is unaffected.
    const other = await signInAttempt(dashboard, 'eve@test.local', PASSWORD, {
      localAddress: '127.0.0.4',
    });
    expect(other.status).toBe(200);
  });
});

describe('sign-in throttle behind a trusted proxy (TRUSTED_PROXIES=loopback)', () => {
  let t: TempDb;
  let dashboard: RunningDashboard;

  beforeAll(async () => {
    t = await createTempDb('throttle-proxy');
    await createRoleUsers(t.db, PASSWORD);
    dashboard = await startDashboard({
      DATABASE_URL: t.url,
      GANMOD_DATA_DIR: t.dir,
      TRUSTED_PROXIES: 'loopback',
    });
  });

  afterAll(async () => {
    await dashboard?.stop();
    await t?.cleanup();
  });

  it('tells clients apart by the forwarded address, and ignores a client-sent client-ip header', async () => {
    const attacker = { 'x-forwarded-for': '198.51.100.7' };
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      // The proxy appends the address it saw; what the client claimed stays on the left.
      const res = await signInAttempt(dashboard, 'mo@test.local', `wrong-${i}`, {
        headers: {
          'x-forwarded-for': `10.9.8.${i}, ${attacker['x-forwarded-for']}`,
          'x-ganmod-client-ip': `10.1.1.${i}`,
        },
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 5), statuses.join(',')).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toContain(429);
    const victim = await signInAttempt(dashboard, 'mo@test.local', PASSWORD, {
      headers: { 'x-forwarded-for': '198.51.100.8' },
    });
    expect(victim.status).toBe(200);
  });
});
