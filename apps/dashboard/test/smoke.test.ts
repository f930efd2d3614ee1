import { seed } from '@ganmod/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type RunningDashboard } from './server';
import { signIn, trpcQuery } from './support/session';
import { createTempDb, type TempDb } from './support/temp-db';

describe('dashboard smoke test (production build, real SQLite)', () => {
  let t: TempDb;
  let dashboard: RunningDashboard;
  let password: string;

  beforeAll(async () => {
    t = await createTempDb('smoke');
    password = 'smoke-test-password';
    await seed(t.db, { adminPassword: password, demo: false });
    await t.db.trainingRun.create({
      data: { name: 'smoke', config: { model: 'mlp' }, status: 'QUEUED', totalSteps: 10 },
    });
    dashboard = await startDashboard({ DATABASE_URL: t.url, GANMOD_DATA_DIR: t.dir });
  });

  afterAll(async () => {
    await dashboard?.stop();
    await t?.cleanup();
  });

  it('answers health checks without a session', async () => {
    const res = await fetch(`${dashboard.url}/api/health`);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('sends anonymous visitors to sign-in, and serves the sign-in page', async () => {
    const res = await fetch(`${dashboard.url}/queue`, { redirect: 'manual' });
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toContain('/sign-in?next=%2Fqueue');
    const page = await fetch(`${dashboard.url}/sign-in`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Sign in to ganmod');
  });

  it('refuses the API without a session, and reads the database through tRPC with one', async () => {
    const anon = await fetch(`${dashboard.url}/api/trpc/system.status`);
    expect(anon.status).toBe(401);
    const admin = await signIn(dashboard.url, 'admin@ganmod.local', password);
    const status = await trpcQuery<{ runs: number; queued: number }>(admin, 'system.status');
    expect(status.data).toMatchObject({ runs: 1, queued: 1 });
    const home = await admin.fetch('/');
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('Admin');
  });

  it('rejects a wrong password', async () => {
    await expect(signIn(dashboard.url, 'admin@ganmod.local', 'not-the-password')).rejects.toThrow(
      /401/,
    );
  });

  it('refuses a cross-site sign-in (origin check) and the sign-up endpoint', async () => {
    const crossSite = await fetch(`${dashboard.url}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: 'https://evil.example',
        cookie: 'x=1',
      },
      body: JSON.stringify({ email: 'admin@ganmod.local', password }),
    });
    expect(crossSite.status).toBe(403);
    const signUp = await fetch(`${dashboard.url}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: dashboard.url },
      body: JSON.stringify({ email: 'intruder@example.com', password: 'long-enough-1', name: 'x' }),
    });
    expect(signUp.ok).toBe(false);
    expect(await t.db.user.count({ where: { email: 'intruder@example.com' } })).toBe(0);
  });
});
