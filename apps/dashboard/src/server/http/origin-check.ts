import 'server-only';
import { isTrustedOrigin, originConfig } from '../config/origins';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The CSRF / DNS-rebinding gate for cookie-authenticated handlers that change state: a request
 * that is not GET/HEAD/OPTIONS must come from a configured origin (see config/origins.ts). The
 * Origin header decides; without one, the Referer's origin (as better-auth falls back); a request
 * carrying neither is refused when it carries cookies, since then it could act as someone.
 * Returns the 403 answer, or null when the request may go on. The platform API (/api/v1, bearer
 * keys, server to server) does not use it.
 */
export function refuseForeignOrigin(
  req: Request,
  origins: readonly string[] = originConfig().origins,
): Response | null {
  if (SAFE_METHODS.has(req.method)) return null;
  const origin = req.headers.get('origin');
  const referer = req.headers.get('referer');
  const claimed = origin ?? referer;
  if (claimed === null) {
    if (!req.headers.has('cookie')) return null;
    return forbidden('This request carries cookies but no Origin header; it is refused.');
  }
  if (isTrustedOrigin(claimed, origins)) return null;
  return forbidden(
    `Origin ${origin ?? `of Referer ${referer}`} is not one this dashboard is served at (BETTER_AUTH_URL, GANMOD_TRUSTED_ORIGINS).`,
  );
}

function forbidden(error: string): Response {
  return Response.json({ error }, { status: 403 });
}
