import { getSessionCookie } from 'better-auth/cookies';
import { NextResponse, type NextRequest } from 'next/server';
import { safeNextPath } from '~/lib/safe-next-path';
import {
  contentSecurityPolicy,
  createNonce,
  HSTS_VALUE,
  servesHttps,
  STATIC_SECURITY_HEADERS,
} from '../server/security-headers';

/** Paths that need no session: the sign-in page and the icon. */
const PUBLIC_PATH = /^\/(?:sign-in(?:\/|$)|favicon\.ico$|icon(?:[.-]|$))/;

function withSecurityHeaders(res: NextResponse, csp: string): NextResponse {
  res.headers.set('Content-Security-Policy', csp);
  // Also set by next.config.ts headers(); repeated so a redirect from here carries them too.
  for (const [name, value] of Object.entries(STATIC_SECURITY_HEADERS)) res.headers.set(name, value);
  // Read per request, not at build: the same build runs behind http and https.
  if (servesHttps(process.env.BETTER_AUTH_URL)) {
    res.headers.set('Strict-Transport-Security', HSTS_VALUE);
  }
  return res;
}

/**
 * Runs on every page request. It gives each response its security headers, with a fresh CSP nonce
 * that Next reads back from the request to sign its own scripts (pages render dynamically for it).
 *
 * It is also an optimistic gate: pages without a session cookie go to sign-in, keeping where they
 * were headed in `next` when that is a safe same-origin path. The real check (session valid,
 * account enabled, role allowed) happens in every page, procedure and route handler.
 */
export function proxy(req: NextRequest) {
  const csp = contentSecurityPolicy(createNonce(), {
    dev: process.env.NODE_ENV === 'development',
  });
  const { pathname, search } = req.nextUrl;
  if (!PUBLIC_PATH.test(pathname) && !getSessionCookie(req)) {
    const url = new URL('/sign-in', req.url);
    const back = safeNextPath(pathname + search);
    if (back !== '/') url.searchParams.set('next', back);
    return withSecurityHeaders(NextResponse.redirect(url), csp);
  }
  const requestHeaders = new Headers(req.headers);
  requestHeaders.set('Content-Security-Policy', csp);
  return withSecurityHeaders(NextResponse.next({ request: { headers: requestHeaders } }), csp);
}

export const config = {
  // Not API routes (they answer 401 themselves, and a proxy in front of them would buffer every
  // request body in memory) nor build files: next.config.ts gives those their headers.
  matcher: ['/((?!api/|_next/static/|_next/image).*)'],
};
