// Every response of the real built dashboard carries the security headers (issue 12, finding 8),
// and pages carry a Content-Security-Policy whose per-request nonce is the one on their scripts.
import { seed } from '@ganmod/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type RunningDashboard } from './server';
import { signIn, type SignedIn } from './support/session';
import { createTempDb, type TempDb } from './support/temp-db';

const PASSWORD = 'headers-test-password';

function cspOf(res: Response): Map<string, string[]> {
  const header = res.headers.get('content-security-policy') ?? '';
  return new Map(
    header
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

function nonceOf(res: Response): string | undefined {
  const script = cspOf(res).get('script-src') ?? [];
  return script.find((s) => s.startsWith("'nonce-"))?.slice("'nonce-".length, -1);
}

/**
 * The headers every response must carry, whatever it is. Pages (and the proxy's redirects) carry
 * a nonce in their CSP; API answers and build files the same policy without one.
 */
function expectSecurityHeaders(res: Response, what: string, kind: 'page' | 'other' = 'page') {
  const h = res.headers;
  expect(h.get('x-frame-options'), what).toBe('DENY');
  expect(h.get('x-content-type-options'), what).toBe('nosniff');
  expect(h.get('referrer-policy'), what).toBe('strict-origin-when-cross-origin');
  const permissions = h.get('permissions-policy') ?? '';
  for (const feature of ['camera=()', 'microphone=()', 'geolocation=()'])
    expect(permissions, what).toContain(feature);
  const csp = cspOf(res);
  expect(csp.get('default-src'), what).toEqual(["'self'"]);
  expect(csp.get('script-src'), what).toEqual(
    expect.arrayContaining(["'self'", "'strict-dynamic'"]),
  );
  expect(csp.get('script-src'), what).not.toContain("'unsafe-inline'");
  expect(csp.get('script-src'), what).not.toContain("'unsafe-eval'");
  if (kind === 'page') expect(nonceOf(res), what).toMatch(/^[A-Za-z0-9+/=_-]{16,}$/);
  else expect(nonceOf(res), what).toBeUndefined();
  expect(csp.get('img-src'), what).toEqual(["'self'", 'data:', 'blob:']);
  expect(csp.get('connect-src'), what).toEqual(["'self'"]);
  expect(csp.get('object-src'), what).toEqual(["'none'"]);
  expect(csp.get('base-uri'), what).toEqual(["'self'"]);
  expect(csp.get('form-action'), what).toEqual(["'self'"]);
  expect(csp.get('frame-ancestors'), what).toEqual(["'none'"]);
  // Plain http here: a Strict-Transport-Security header would lock browsers out of it.
  expect(h.get('strict-transport-security'), what).toBeNull();
}

/** Every `<script>` of a page carries `nonce` (Next adds it from the request's CSP header). */
function expectScriptsCarry(html: string, nonce: string) {
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
}

describe('security headers on the built dashboard', () => {
  let t: TempDb;
  let dashboard: RunningDashboard;
  let admin: SignedIn;

  beforeAll(async () => {
    t = await createTempDb('headers');
    await seed(t.db, { adminPassword: PASSWORD, demo: false });
    dashboard = await startDashboard({ DATABASE_URL: t.url, GANMOD_DATA_DIR: t.dir });
    admin = await signIn(dashboard.url, 'admin@ganmod.local', PASSWORD);
  });

  afterAll(async () => {
    await dashboard?.stop();
    await t?.cleanup();
  });

  it('the sign-in page: headers, and a fresh nonce per request on every script', async () => {
    const first = await fetch(`${dashboard.url}/sign-in`);
    const second = await fetch(`${dashboard.url}/sign-in`);
    expect(first.status).toBe(200);
    expectSecurityHeaders(first, '/sign-in');
    expectSecurityHeaders(second, '/sign-in');
    const [a, b] = [nonceOf(first)!, nonceOf(second)!];
    expect(a).not.toBe(b);
    expectScriptsCarry(await first.text(), a);
    expectScriptsCarry(await second.text(), b);
  });

  it('a signed-in page', async () => {
    const res = await admin.fetch('/admin/users');
    expect(res.status).toBe(200);
    expectSecurityHeaders(res, '/admin/users');
    expectScriptsCarry(await res.text(), nonceOf(res)!);
  });

  it('an API route, anonymous and signed in', async () => {
    const health = await fetch(`${dashboard.url}/api/health`);
    expect(health.status).toBe(200);
    expectSecurityHeaders(health, '/api/health', 'other');
    const trpc = await admin.fetch('/api/trpc/system.status');
    expect(trpc.status).toBe(200);
    expectSecurityHeaders(trpc, '/api/trpc/system.status', 'other');
    const refused = await fetch(`${dashboard.url}/api/trpc/system.status`);
    expect(refused.status).toBe(401);
    expectSecurityHeaders(refused, 'a 401 from tRPC', 'other');
  });

  it('a 404, signed in and not', async () => {
    const missing = await admin.fetch('/no/such/page');
    expect(missing.status).toBe(404);
    expectSecurityHeaders(missing, 'a 404 page');
    expectScriptsCarry(await missing.text(), nonceOf(missing)!);
    const missingStatic = await fetch(`${dashboard.url}/_next/static/no-such-file.js`);
    expect(missingStatic.status).toBe(404);
    expectSecurityHeaders(missingStatic, 'a missing static file', 'other');
  });

  it('static assets and the icon', async () => {
    const html = await (await fetch(`${dashboard.url}/sign-in`)).text();
    const asset = /<script[^>]+src="(\/_next\/static\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeTruthy();
    const js = await fetch(`${dashboard.url}${asset}`);
    expect(js.status).toBe(200);
    expectSecurityHeaders(js, asset!, 'other');
    // The favicon: linked from every page, served without a session.
    const icon = /<link rel="icon" href="([^"]+)"/.exec(html)?.[1];
    expect(icon, 'a <link rel="icon"> on the page').toBeTruthy();
    const iconRes = await fetch(`${dashboard.url}${icon}`, { redirect: 'manual' });
    expect(iconRes.status).toBe(200);
    expect(iconRes.headers.get('content-type')).toContain('image/');
    expectSecurityHeaders(iconRes, icon!);
    // Clients that ask for /favicon.ico without reading the page get one too (it was a 404).
    const ico = await fetch(`${dashboard.url}/favicon.ico`, { redirect: 'manual' });
    expect(ico.status).toBe(200);
    expect(ico.headers.get('content-type')).toMatch(/image\/(x-icon|vnd\.microsoft\.icon)/);
  });

  it('a redirect from the proxy', async () => {
    const res = await fetch(`${dashboard.url}/queue`, { redirect: 'manual' });
    expect(res.status).toBe(307);
    expectSecurityHeaders(res, 'the redirect to sign-in');
  });
});

describe('Strict-Transport-Security when served over https', () => {
  let t: TempDb;
  let dashboard: RunningDashboard;

  beforeAll(async () => {
    t = await createTempDb('hsts');
    await seed(t.db, { adminPassword: PASSWORD, demo: false });
    dashboard = await startDashboard({
      DATABASE_URL: t.url,
      GANMOD_DATA_DIR: t.dir,
      // TLS ends at a reverse proxy in front of the dashboard; the public URL says https.
      BETTER_AUTH_URL: 'https://dashboard.example',
    });
  });

  afterAll(async () => {
    await dashboard?.stop();
    await t?.cleanup();
  });

  // Pages (what browsers navigate to) carry it; API answers and build files get their headers
  // from next.config.ts, fixed at build time, when the public URL is not known.
  it.each(['/sign-in', '/no/such/page', '/queue'])('%s carries HSTS', async (path) => {
    const res = await fetch(`${dashboard.url}${path}`, { redirect: 'manual' });
    expect(res.headers.get('strict-transport-security')).toBe(
      'max-age=31536000; includeSubDomains',
    );
  });
});
