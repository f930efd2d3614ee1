/**
 * SSRF guard for callback hosts given by name: the name is resolved once, every address it
 * resolves to is checked, and the socket connects to the checked address (the `lookup` of
 * node:http/https hands it to `net.connect`), so a DNS answer that changes between the check and the
 * connection (rebinding) cannot send a webhook to this machine or an internal network.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { addressScope } from '@ganmod/db';

/** Resolves a host name to all its addresses (default: the system resolver, `dns.lookup`). */
export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

/** The system resolver: what `http.request` would have used. */
export const systemResolve: Resolve = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true }, (err, addresses) =>
      err ? reject(err) : resolve(addresses),
    ),
  );

/** The error of a refused address: `code` EWEBHOOKADDRESS, the message says which and why. */
export class RefusedAddressError extends Error {
  override readonly name = 'RefusedAddressError';
  readonly code = 'EWEBHOOKADDRESS';
}

/**
 * The addresses of `hostname` a webhook may connect to: public ones, and this machine's (loopback)
 * only with `allowLoopback` (GANMOD_WEBHOOK_HTTP_DEV). Refuses the name when any address it
 * resolves to is internal: a name pointing partly inside is not a platform's receiver.
 *
 * @throws RefusedAddressError naming the address.
 */
export async function allowedAddresses(
  hostname: string,
  allowLoopback: boolean,
  resolve: Resolve = systemResolve,
): Promise<LookupAddress[]> {
  const addresses = await resolve(hostname);
  if (addresses.length === 0) throw new RefusedAddressError(`${hostname} resolves to nothing`);
  for (const { address } of addresses) {
    const scope = addressScope(address);
    if (scope === 'public' || (scope === 'loopback' && allowLoopback)) continue;
    throw new RefusedAddressError(
      `${hostname} resolves to ${address}, ${scope === 'loopback' ? 'this machine' : 'an internal network'}: ` +
        (scope === 'loopback'
          ? 'allowed only with GANMOD_WEBHOOK_HTTP_DEV=1'
          : 'webhooks go to public hosts only'),
    );
  }
  return addresses;
}

/**
 * A `lookup` for node:http/https that connects only to addresses {@link allowedAddresses} let
 * through, and to the very address it checked (the connection is pinned to it).
 */
export function pinnedLookup(
  allowLoopback: boolean,
  resolve: Resolve = systemResolve,
): LookupFunction {
  return (hostname, options, callback) => {
    allowedAddresses(hostname, allowLoopback, resolve).then(
      (addresses) => {
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = family ? addresses.filter((a) => a.family === family) : addresses;
        if (usable.length === 0) {
          const err = Object.assign(new Error(`${hostname} has no IPv${family} address`), {
            code: 'ENOTFOUND',
          });
          callback(err, '', 0);
          return;
        }
        // With `all` (Node's happy-eyeballs connect asks for it) every checked address is offered.
        if (options.all)
          (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
        else callback(null, usable[0]!.address, usable[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}
