import { BlockList, isIP } from 'node:net';
import { z } from 'zod';

/** Decides whether a socket peer is a reverse proxy whose forwarded headers are believed. */
export interface TrustedProxies {
  /** The list as configured, for the startup line. */
  readonly description: string;
  has(address: string): boolean;
}

const LOOPBACK = ['127.0.0.0/8', '::1/128'];

const entrySchema = z
  .string()
  .refine((entry) => entry === 'loopback' || parseSubnet(entry) !== null, {
    error: (issue) =>
      `"${String(issue.input)}" is neither an IP address, a CIDR range nor "loopback"`,
  });

function parseSubnet(
  entry: string,
): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const slash = entry.lastIndexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const version = isIP(address);
  if (version === 0) return null;
  const max = version === 4 ? 32 : 128;
  const prefixText = slash === -1 ? String(max) : entry.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  if (prefix > max) return null;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** `::ffff:10.0.0.1` (how Node reports IPv4 peers on a dual-stack socket) as `10.0.0.1`. */
export function unmapIPv4(address: string): string {
  const lower = address.toLowerCase();
  return lower.startsWith('::ffff:') && isIP(lower.slice(7)) === 4 ? lower.slice(7) : lower;
}

/**
 * Parses `TRUSTED_PROXIES`: comma-separated IP addresses, CIDR ranges and/or `loopback`. Unset or
 * empty means no proxy is trusted: the socket's peer is the client and forwarded headers are
 * dropped. Throws an error naming the variable when an entry is malformed.
 */
export function parseTrustedProxies(value: string | undefined): TrustedProxies {
  const entries = (value ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const parsed = z.array(entrySchema).safeParse(entries);
  if (!parsed.success) {
    throw new Error(
      `TRUSTED_PROXIES is malformed: ${parsed.error.issues.map((i) => i.message).join('; ')}. ` +
        'Expected comma-separated IP addresses or CIDR ranges (e.g. 10.0.0.0/8,::1) or "loopback".',
    );
  }
  const list = new BlockList();
  for (const entry of parsed.data.flatMap((e) => (e === 'loopback' ? LOOPBACK : [e]))) {
    const subnet = parseSubnet(entry)!;
    list.addSubnet(subnet.address, subnet.prefix, subnet.family);
  }
  return {
    description: entries.length > 0 ? entries.join(', ') : 'none',
    has(address) {
      const plain = unmapIPv4(address);
      const version = isIP(plain);
      if (version === 0 || entries.length === 0) return false;
      return list.check(plain, version === 4 ? 'ipv4' : 'ipv6');
    },
  };
}
