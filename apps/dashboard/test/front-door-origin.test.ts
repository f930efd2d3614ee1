// The origin gate against the real built dashboard: trusted origins come from BETTER_AUTH_URL
// only (never from the request's Host), every state-changing tRPC procedure and cookie route
// handler refuses a foreign or missing Origin, and better-auth's self-service endpoints are shut.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { AnyProcedure } from '@trpc/server';
import { seed } from '@ganmod/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '~/server/root';
import { startDashboard, type RunningDashboard } from './server';
import { signIn, type SignedIn } from './support/session';
import { rawRequest } from './support/raw-http';
import { createTempDb, type TempDb } from './support/temp-db';
import { createRoleUsers } from './support/users';

const PASSWORD = 'correct horse battery';
const FOREIGN = 'https://evil.example';

const mutations = Object.entries(
  appRouter._def.procedures as unknown as Record<string, AnyProcedure>,
)
  .filter(([, proc]) => proc._def.type === 'mutation')
  .map(([path]) => path);

/** Every route handler under src/app/api that accepts a state-changing method, as a URL path. */
function stateChangingRoutes(): string[] {
  const apiDir = join(import.meta.dirname, '../src/app/api');
  const files = readdirSync(apiDir, { recursive: true, encoding: 'utf8' }).filter((f) =>
    f.endsWith(`${sep}route.ts`),
  );
  return files
    .filter((f) => /\b(POST|PUT|PATCH|DELETE)\b/.test(readFileSync(join(apiDir, f), 'utf8')))
    .map((f) =>
      `/api/${relative('.', f)}`
        .replace(/\/route\.ts$/, '')
        .split(sep)
        .join('/')
        .replace(/\[\.\.\.[^\]]+\]/g, 'sign-out')
        .replace(/\[[^\]]+\]/g, 'x'),
    );
}

describe('the origin gate (production build, real SQLite)', () => {
  let t: TempDb;
  let dashboard: RunningDashboard;
  let admin: SignedIn;

  beforeAll(async () => {
    t = await createTempDb('origin');
    await seed(t.db, { adminPassword: 'origin-gate-passphrase', demo: false });
    await createRoleUsers(t.db, PASSWORD);
    dashboard = await startDashboard({ DATABASE_URL: t.url, GANMOD_DATA_DIR: t.dir });
    admin = await signIn(dashboard.url, 'ada@test.local', PASSWORD);
  });

  afterAll(async () => {
    await dashboard?.stop();
    await t?.cleanup();
  });

  it('refuses a sign-in whose Host and Origin agree on a foreign name (DNS rebinding)', async () => {
    const port = new URL(dashboard.url).port;
    const res = await rawRequest(`${dashboard.url}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: {
        host: `rebind.evil:${port}`,
        origin: `http://rebind.evil:${port}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ email: 'ada@test.local', password: PASSWORD }),
    });
    expect(res.status).toBe(403);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('accepts the configured origin and its loopback aliases', async () => {
    const port = new URL(dashboard.url).port;
    for (const origin of [dashboard.url, `http://localhost:${port}`]) {
      const res = await rawRequest(`${dashboard.url}/api/auth/sign-in/email`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'eve@test.local', password: PASSWORD }),
      });
      expect(res.status, origin).toBe(200);
    }
  });

  it('runs a tRPC mutation from the configured origin, refuses a foreign or missing one', async () => {
    const call = (headers: Record<string, string>) =>
      fetch(`${dashboard.url}/api/trpc/apiKeys.create`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: admin.cookie, ...headers },
        body: JSON.stringify({ json: { name: 'origin-test' } }),
      });
    expect((await call({ origin: FOREIGN })).status).toBe(403);
    expect((await call({ referer: `${FOREIGN}/admin` })).status).toBe(403);
    expect((await call({ origin: 'null' })).status).toBe(403);
    expect((await call({})).status).toBe(403);
    expect(await t.db.apiKey.count({ where: { name: 'origin-test' } })).toBe(0);
    expect((await call({ origin: dashboard.url })).status).toBe(200);
    expect(await t.db.apiKey.count({ where: { name: 'origin-test' } })).toBe(1);
  });

  it('walks every tRPC mutation: a foreign Origin is refused before the procedure runs', async () => {
    expect(mutations.length).toBeGreaterThanOrEqual(10);
    for (const path of mutations) {
      const res = await fetch(`${dashboard.url}/api/trpc/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: admin.cookie, origin: FOREIGN },
        body: JSON.stringify({ json: {} }),
      });
      expect(res.status, path).toBe(403);
      expect(((await res.json()) as { error: string }).error, path).toMatch(/Origin/);
    }
  });

  it('walks every route handler that changes state (the platform API excepted)', async () => {
    const routes = stateChangingRoutes();
    expect(routes).toEqual(
      expect.arrayContaining(['/api/auth/sign-out', '/api/trpc/x', '/api/v1/submissions']),
    );
    for (const route of routes.filter((r) => !r.startsWith('/api/v1/'))) {
      for (const origin of [FOREIGN, undefined]) {
        const res = await fetch(`${dashboard.url}${route}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            cookie: admin.cookie,
            ...(origin ? { origin } : {}),
          },
          body: '{}',
        });
        expect(res.status, `${route} with Origin ${origin}`).toBe(403);
      }
    }
  });

  it('refuses self-service renames and the other account endpoints of better-auth', async () => {
    const mo = await signIn(dashboard.url, 'mo@test.local', PASSWORD);
    const rename = await mo.fetch('/api/auth/update-user', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Alice Admin' }),
    });
    expect(rename.ok).toBe(false);
    const user = await t.db.user.findUniqueOrThrow({ where: { email: 'mo@test.local' } });
    expect(user.name).toBe('Mo');
    const passwordBefore = await passwordOf(t, user.id);
    const refused = {
      '/api/auth/update-user': { image: 'https://evil.example/x.png' },
      '/api/auth/Update-User': { name: 'Alice Admin' },
      '/api/auth/change-email': { newEmail: 'alice@evil.example' },
      '/api/auth/change-password': { currentPassword: PASSWORD, newPassword: 'another-password-1' },
      '/api/auth/set-password': { newPassword: 'another-password-1' },
      '/api/auth/delete-user': { password: PASSWORD },
      '/api/auth/update-session': { token: 'x' },
      '/api/auth/sign-up/email': { email: 'x@evil.example', password: 'long-enough-pw', name: 'x' },
      '/api/auth/revoke-sessions': {},
    };
    for (const [path, body] of Object.entries(refused)) {
      const res = await mo.fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status, path).toBe(404);
    }
    const after = await t.db.user.findUniqueOrThrow({
      where: { email: 'mo@test.local' },
      include: { accounts: true, sessions: true },
    });
    expect(after).toMatchObject({ name: 'Mo', email: 'mo@test.local', image: null });
    expect(await passwordOf(t, user.id)).toBe(passwordBefore);
    expect(after.sessions.length).toBeGreaterThan(0);
    // Signing out and reading the session still work.
    expect((await mo.fetch('/api/auth/get-session')).status).toBe(200);
    const signOut = await mo.fetch('/api/auth/sign-out', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(signOut.status).toBe(200);
  });
});

async function passwordOf(t: TempDb, userId: string): Promise<string | null> {
  const account = await t.db.account.findFirst({ where: { userId, providerId: 'credential' } });
  return account?.password ?? null;
}
