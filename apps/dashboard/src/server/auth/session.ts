import 'server-only';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { asRole, hasRole, type Role } from '~/lib/roles';
import { getDb } from '../db';
import { getAuth } from './auth';

/** The signed-in user as the rest of the app sees it. */
export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  /**
   * The better-auth session the request came with (absent for callers without one, such as
   * tests calling procedures directly). A password change keeps it open while ending the others.
   */
  sessionId?: string;
}

/**
 * The user behind a request's session cookie, or null when there is none, it expired, or the
 * account was disabled after the session was opened (checked on every request, not only at sign-in).
 */
export async function userFromHeaders(requestHeaders: Headers): Promise<SessionUser | null> {
  const session = await getAuth().api.getSession({ headers: requestHeaders });
  if (!session) return null;
  const user = await getDb().user.findUnique({
    where: { id: session.user.id },
    select: { id: true, email: true, name: true, role: true, disabled: true },
  });
  const role = asRole(user?.role);
  if (!user || user.disabled || !role) return null;
  return { id: user.id, email: user.email, name: user.name, role, sessionId: session.session.id };
}

/** For server components: the current user, redirecting to sign-in when absent. */
export async function requireUser(allowed?: readonly Role[]): Promise<SessionUser> {
  const user = await userFromHeaders(await headers());
  if (!user) redirect('/sign-in');
  if (allowed && !hasRole(user.role, allowed)) redirect('/forbidden');
  return user;
}

/** For route handlers: the current user when they hold one of `allowed`, else an error Response. */
export async function authorizeRequest(
  req: Request,
  allowed: readonly Role[],
): Promise<{ user: SessionUser; error?: never } | { user?: never; error: Response }> {
  const user = await userFromHeaders(req.headers);
  if (!user) return { error: Response.json({ error: 'Sign in first.' }, { status: 401 }) };
  if (!hasRole(user.role, allowed)) {
    return { error: Response.json({ error: 'Your role does not allow this.' }, { status: 403 }) };
  }
  return { user };
}
