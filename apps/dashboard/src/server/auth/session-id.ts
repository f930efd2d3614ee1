import 'server-only';
import { getAuth } from './auth';

/**
 * The id of the better-auth session behind a request's cookie, or null without one. Kept apart
 * from `session.ts` (whose `SessionUser` carries no session id): only a password change needs
 * it, to keep the caller's own session while ending the others.
 */
export async function sessionIdFromHeaders(requestHeaders: Headers): Promise<string | null> {
  const session = await getAuth().api.getSession({ headers: requestHeaders });
  return session?.session.id ?? null;
}
