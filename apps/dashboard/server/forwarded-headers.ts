import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { CLIENT_IP_HEADER } from './protocol.ts';
import { unmapIPv4, type TrustedProxies } from './trusted-proxies.ts';

/** Headers through which a client could claim another address, host or scheme. */
const FORWARDING_HEADERS = [
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-real-ip',
] as const;

/**
 * Works out the client's address and rewrites `headers` so the app can believe them: forwarded
 * headers survive only when the socket's peer is a trusted proxy, a client-sent CLIENT_IP_HEADER
 * never survives, and CLIENT_IP_HEADER is set to the address found. Behind trusted proxies the
 * X-Forwarded-For chain is read from the right, skipping trusted hops: the first untrusted hop is
 * the client (the entries left of it are whatever the client wrote).
 */
export function applyForwardingPolicy(
  headers: IncomingHttpHeaders,
  peerAddress: string | undefined,
  proxies: TrustedProxies,
): string {
  const peer = unmapIPv4(peerAddress ?? 'unknown');
  let client = peer;
  if (proxies.has(peer)) {
    const chain = String(headers['x-forwarded-for'] ?? '')
      .split(',')
      .map((hop) => unmapIPv4(hop.trim()));
    for (let i = chain.length - 1; i >= 0; i--) {
      const hop = chain[i]!;
      if (isIP(hop) === 0) break; // a malformed hop: stop at the last address we can vouch for
      client = hop;
      if (!proxies.has(hop)) break;
    }
  } else {
    for (const name of FORWARDING_HEADERS) delete headers[name];
  }
  headers[CLIENT_IP_HEADER] = client;
  return client;
}
