import 'server-only';
import { CLIENT_IP_HEADER, GUARDED_SERVER_ENV } from '../../../server/protocol';

/**
 * The address of the client behind a request, as the dashboard's server (server/server.ts) found
 * it: the socket's peer, or the X-Forwarded-For chain when the peer is in TRUSTED_PROXIES. Under
 * `next dev` there is no such server; Next itself then sets X-Forwarded-For to the socket's peer
 * unless the client sent one, so development is not hardened against a forged header.
 */
export function clientAddress(req: Request): string {
  if (process.env[GUARDED_SERVER_ENV] === '1') {
    return req.headers.get(CLIENT_IP_HEADER) ?? 'unknown';
  }
  if (process.env.NODE_ENV === 'production') {
    throw new Error(
      'The dashboard must run behind its own server (`node dist/server.js`, i.e. `pnpm start`), not `next start`: only that server knows the client address.',
    );
  }
  return req.headers.get('x-forwarded-for')?.split(',')[0]?.trim() || 'unknown';
}
