#!/usr/bin/env node
// The dashboard's HTTP server: Next's request handler behind a small guard that decides what the
// app may believe about the client (its address, forwarded headers) and refuses oversized bodies
// before anything reads them. Run it instead of `next start`:
//   node dist/server.js --hostname 127.0.0.1 --port 3000
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { refuseBody } from './body-limit.ts';
import { answerDirectly, directRoute } from './direct-routes.ts';
import { applyForwardingPolicy } from './forwarded-headers.ts';
import { environmentOrExit } from '@ganmod/config';
import { parseListenOptions } from './listen-options.ts';
import { GUARDED_SERVER_ENV, MAX_BODY_BYTES } from './protocol.ts';
import { parseTrustedProxies, type TrustedProxies } from './trusted-proxies.ts';

/** The part of Next's custom-server API used here. */
interface NextApp {
  prepare(): Promise<void>;
  getRequestHandler(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  close(): Promise<void>;
}

// `next` is CommonJS whose module.exports is the factory; its typings disagree on that between
// module resolutions, so it is loaded with require and given the shape used here.
const createNext = createRequire(import.meta.url)('next') as (options: {
  dev: boolean;
  dir: string;
  hostname: string;
  port: number;
}) => NextApp;

/** How long a refused request's unread body may keep draining before the connection is cut. */
const DRAIN_MS = 2000;

/**
 * Answers with a JSON error without reading the body into memory. The unread body is drained
 * (each chunk discarded as it arrives) rather than the socket closed at once: closing a socket
 * with unread input makes the kernel reset the connection, and a client still sending its body
 * then loses the answer. A client that keeps sending past DRAIN_MS is cut off.
 */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, error: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error }));
  if (req.complete) return;
  const cut = setTimeout(() => req.socket.destroy(), DRAIN_MS);
  cut.unref();
  req.on('end', () => clearTimeout(cut));
  req.resume();
}

/** The guard in front of Next: true when it answered the request itself. */
export function guard(req: IncomingMessage, res: ServerResponse, proxies: TrustedProxies): boolean {
  applyForwardingPolicy(req.headers, req.socket.remoteAddress, proxies);
  const refusal = refuseBody(req.url ?? '/', req.headers, MAX_BODY_BYTES);
  if (refusal) {
    refuse(req, res, refusal.status, refusal.error);
    return true;
  }
  return false;
}

async function main(): Promise<void> {
  // Every variable validated once, before anything listens: a wrong one stops here, named.
  environmentOrExit('ganmod dashboard');
  const { hostname, port } = parseListenOptions(process.argv.slice(2), process.env);
  const proxies = parseTrustedProxies(process.env.TRUSTED_PROXIES);
  // As `next start` does; a custom server must say so itself.
  (process.env as Record<string, string | undefined>).NODE_ENV ??= 'production';
  // Tells the app that CLIENT_IP_HEADER comes from this guard (same process as the app).
  process.env[GUARDED_SERVER_ENV] = '1';
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..');
  const app = createNext({ dev: false, dir, hostname, port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = createServer((req, res) => {
    if (guard(req, res, proxies)) return;
    const direct = directRoute(req);
    (direct ? answerDirectly(direct, req, res) : handle(req, res)).catch((err: unknown) => {
      console.error(err);
      if (!res.headersSent) refuse(req, res, 500, 'Internal server error.');
    });
  });
  server.listen(port, hostname, () => {
    console.log(
      `ganmod dashboard listening on http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port} (trusted proxies: ${proxies.description})`,
    );
  });
  const stop = () => {
    server.close();
    void app.close().finally(() => process.exit(0));
    // Open keep-alive connections must not hold the process.
    setTimeout(() => process.exit(0), 2000).unref();
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
