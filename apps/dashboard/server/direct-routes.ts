/**
 * The routes the server answers itself, before Next: the platforms' hot path. A submission's own
 * work (reading the form, hashing, a share of a group commit) costs less than Next's routing of
 * it, and less than turning the Node request into a Web `Request`, so `POST /api/v1/submissions`
 * skips both and runs on the Node request (`submitDirectly`); the same checks and answers serve
 * `next dev` through the route handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { submitDirectly } from './platform/submit-route.ts';
import { NONCELESS_CONTENT_SECURITY_POLICY, STATIC_SECURITY_HEADERS } from './security-headers.ts';

/** A route the server answers on the Node request, with the headers Next would have added. */
type DirectRoute = (
  req: IncomingMessage,
  res: ServerResponse,
  extraHeaders: Readonly<Record<string, string>>,
) => Promise<void>;

const DIRECT_ROUTES = new Map<string, DirectRoute>([['POST /api/v1/submissions', submitDirectly]]);

/** The route the server runs itself for this request, or undefined for Next to route it. */
export function directRoute(req: IncomingMessage): DirectRoute | undefined {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return DIRECT_ROUTES.get(`${req.method} ${q < 0 ? url : url.slice(0, q)}`);
}

/** The headers next.config.ts gives every API response, which Next would have added. */
const API_HEADERS: Readonly<Record<string, string>> = {
  ...STATIC_SECURITY_HEADERS,
  'Content-Security-Policy': NONCELESS_CONTENT_SECURITY_POLICY,
};

/** Runs `route` on `req`, answering with the API's security headers. */
export function answerDirectly(
  route: DirectRoute,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  return route(req, res, API_HEADERS);
}
