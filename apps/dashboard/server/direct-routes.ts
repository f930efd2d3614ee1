/**
 * The routes the server answers itself, before Next: the platforms' hot path. A submission's own
 * work (reading the form, hashing, a share of a group commit) costs less than Next's routing of
 * it, so `POST /api/v1/submissions` skips the router and runs the same route handler (Web
 * `Request` in, `Response` out) that Next serves under `next dev`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { submitRoute } from './platform/submit-route.ts';
import { NONCELESS_CONTENT_SECURITY_POLICY, STATIC_SECURITY_HEADERS } from './security-headers.ts';

/** A route handler as Next's app router calls it, without the route context. */
type RouteHandler = (req: Request, ctx: unknown) => Promise<Response>;

const DIRECT_ROUTES = new Map<string, RouteHandler>([['POST /api/v1/submissions', submitRoute]]);

/** The handler the server runs itself for this request, or undefined for Next to route it. */
export function directRoute(req: IncomingMessage): RouteHandler | undefined {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return DIRECT_ROUTES.get(`${req.method} ${q < 0 ? url : url.slice(0, q)}`);
}

/** The headers next.config.ts gives every API response, which Next would have added. */
const API_HEADERS: Readonly<Record<string, string>> = {
  ...STATIC_SECURITY_HEADERS,
  'Content-Security-Policy': NONCELESS_CONTENT_SECURITY_POLICY,
};

/** Runs `handler` on `req` as a Web request and writes its response. */
export async function answerDirectly(
  handler: RouteHandler,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
    headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  // The origin is not the client's to choose: handlers read the path and query only.
  // `duplex` (a streamed body) is in Node's RequestInit, not in the DOM's the app also compiles with.
  const init: RequestInit & { duplex: 'half' } = {
    method: req.method ?? 'GET',
    headers,
    body: Readable.toWeb(req) as ReadableStream<Uint8Array>,
    duplex: 'half',
  };
  const request = new Request(`http://localhost${req.url ?? '/'}`, init);
  const response = await handler(request, undefined);
  const body = Buffer.from(await response.arrayBuffer());
  const out: Record<string, string> = { ...API_HEADERS };
  response.headers.forEach((value, name) => {
    out[name] = value;
  });
  out['content-length'] = String(body.byteLength);
  res.writeHead(response.status, out);
  res.end(body);
}
