// One webhook attempt against real local HTTP servers: a callback host given by name is resolved
// once, refused when any address is this machine (without GANMOD_WEBHOOK_HTTP_DEV) or an internal
// network, and the connection goes to the address that was checked (DNS rebinding cannot switch
// it); redirects are not followed; a slow receiver times out. The resolver is injectable only so a
// test can play a DNS server: the production path runs the same pinnedLookup with dns.lookup.
import { lookup } from 'node:dns/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { addressScope, generateWebhookSecret, type ClaimedDelivery } from '@ganmod/db';
import { afterEach, describe, expect, it } from 'vitest';
import type { Resolve } from '../src/webhooks/pinned-lookup.js';
import { sendWebhook } from '../src/webhooks/send.js';
import { startReceiver, type Receiver } from './webhook-receiver.js';

const secret = generateWebhookSecret();
const delivery = (url: string): ClaimedDelivery => ({
  id: 'd1',
  eventId: 'msg_test',
  type: 'submission.scored',
  payload: JSON.stringify({ type: 'submission.scored', timestamp: new Date().toISOString() }),
  endpointId: 'e1',
  url,
  secrets: [secret],
  attempts: 0,
  roundStartedAt: new Date(),
  endpointFailures: 0,
});

/** A resolver answering from `answers` in turn (the last one repeated), counting its calls. */
function fakeDns(...answers: string[][]): Resolve & { calls: string[] } {
  const calls: string[] = [];
  const resolve = (name: string) => {
    calls.push(name);
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)]!;
    return Promise.resolve(
      answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };
  return Object.assign(resolve, { calls });
}

let receiver: Receiver | undefined;
const servers: Server[] = [];
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<number> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

describe('sendWebhook: SSRF by name', () => {
  it('refuses a name resolving to this machine unless the development setting allows it', async () => {
    const dns = fakeDns(['127.0.0.1']);
    const result = await sendWebhook(delivery('https://hooks.platform.example/ganmod'), {
      timeoutMs: 2000,
      allowHttpLocalhost: false,
      resolve: dns,
    });
    expect(result).toMatchObject({ ok: false, statusCode: null });
    expect(result.response).toMatch(
      /refused: hooks\.platform\.example resolves to 127\.0\.0\.1, this machine/,
    );
    expect(dns.calls).toEqual(['hooks.platform.example']);
  });

  it('refuses private, link-local, CGNAT and unique-local answers even with the setting, and a name partly inside', async () => {
    for (const answer of [
      ['10.1.2.3'],
      ['192.168.0.10'],
      ['169.254.169.254'],
      ['100.64.1.1'],
      ['fd12::1'],
      ['93.184.216.34', '172.16.0.1'],
    ]) {
      const result = await sendWebhook(delivery('https://hooks.platform.example/ganmod'), {
        timeoutMs: 2000,
        allowHttpLocalhost: true,
        resolve: fakeDns(answer),
      });
      expect(result.response, answer.join()).toMatch(/an internal network/);
    }
  });

  it('connects to the address it checked: one lookup, a later (rebound) answer is never used', async () => {
    receiver = await startReceiver({ secrets: () => [secret] });
    const port = new URL(receiver.url).port;
    // First answer: this machine (allowed in development); any later one: the metadata service.
    const dns = fakeDns(['127.0.0.1'], ['169.254.169.254']);
    const ok = await sendWebhook(delivery(`http://localhost:${port}/hooks/ganmod`), {
      timeoutMs: 5000,
      allowHttpLocalhost: true,
      resolve: dns,
    });
    expect(ok).toMatchObject({ ok: true, statusCode: 200 });
    expect(dns.calls).toEqual(['localhost']);
    expect(receiver.accepted()).toHaveLength(1);
    expect(receiver.accepted()[0]?.verified).toBe(true);
    // The socket goes where the checked answer says, not where the system would resolve the
    // name: 127.0.0.2 is this machine too, but nothing listens there.
    const pinned = await sendWebhook(delivery(`http://localhost:${port}/hooks/ganmod`), {
      timeoutMs: 5000,
      allowHttpLocalhost: true,
      resolve: fakeDns(['127.0.0.2']),
    });
    expect(pinned).toMatchObject({
      ok: false,
      statusCode: null,
      response: 'no response: ECONNREFUSED',
    });
    expect(receiver.received).toHaveLength(1);
  });

  it('with the system resolver: a name that resolves inside this machine or network is refused', async () => {
    // This machine's own name resolves (hosts file or DNS) to a loopback or internal address on
    // any ordinary host; where it does not (or does not resolve), there is nothing to show.
    const name = hostname();
    const addresses = await lookup(name, { all: true }).catch(() => []);
    if (addresses.length === 0 || addresses.every((a) => addressScope(a.address) === 'public'))
      return;
    const result = await sendWebhook(delivery(`https://${name}:9/hooks`), {
      timeoutMs: 2000,
      allowHttpLocalhost: false,
    });
    expect(result.response).toMatch(new RegExp(`^refused: ${name} resolves to`));
  });
});

describe('sendWebhook: responses', () => {
  it('does not follow a redirect, even to an allowed host', async () => {
    let elsewhere = 0;
    const other = await listen((_req, res) => {
      elsewhere++;
      res.end('ok');
    });
    const port = await listen((_req, res) =>
      res.writeHead(302, { location: `http://127.0.0.1:${other}/` }).end(),
    );
    const result = await sendWebhook(delivery(`http://127.0.0.1:${port}/hooks`), {
      timeoutMs: 5000,
      allowHttpLocalhost: true,
    });
    expect(result.ok).toBe(false);
    expect(result.statusCode).toBe(302);
    expect(result.response).toMatch(/not followed/);
    expect(elsewhere).toBe(0);
  });

  it('gives up on a receiver slower than the timeout', async () => {
    const port = await listen((_req, res) => setTimeout(() => res.end('late'), 2000));
    const result = await sendWebhook(delivery(`http://127.0.0.1:${port}/hooks`), {
      timeoutMs: 300,
      allowHttpLocalhost: true,
    });
    expect(result).toEqual({ ok: false, statusCode: null, response: 'no response within 300 ms' });
  });

  it('keeps the start of an error body', async () => {
    const port = await listen((_req, res) => res.writeHead(500).end('x'.repeat(5000)));
    const result = await sendWebhook(delivery(`http://127.0.0.1:${port}/hooks`), {
      timeoutMs: 5000,
      allowHttpLocalhost: true,
    });
    expect(result.statusCode).toBe(500);
    expect(result.response).toBe('x'.repeat(500));
  });
});
