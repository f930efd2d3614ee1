import { getSessionCookie } from 'better-auth/cookies';
import { NextResponse, type NextRequest } from 'next/server';

/**
 * Optimistic gate: pages without a session cookie go to sign-in. The real check (session valid,
 * account enabled, role allowed) happens in every page, procedure and route handler.
 */
export function proxy(req: NextRequest) {
  if (getSessionCookie(req)) return NextResponse.next();
  const url = new URL('/sign-in', req.url);
  const back = req.nextUrl.pathname + req.nextUrl.search;
  if (back !== '/') url.searchParams.set('next', back);
  return NextResponse.redirect(url);
}

export const config = {
  // API routes answer 401 themselves; static files and the sign-in page need no session.
  matcher: ['/((?!api|_next/static|_next/image|favicon.ico|sign-in).*)'],
};
