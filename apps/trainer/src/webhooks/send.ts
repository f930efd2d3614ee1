/**
 * One webhook attempt: a POST signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`, HMAC-SHA256 by the `standardwebhooks` package), a short timeout, no
 * redirects followed (a 3xx is a failed attempt: the receiver must answer at the URL it gave), and
 * a host name's addresses checked and pinned (pinned-lookup.ts).
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { webhookUrlProblem, type ClaimedDelivery, type DeliveryAttempt } from '@ganmod/db';
import { Webhook } from 'standardwebhooks';
import { RefusedAddressError, pinnedLookup, type Resolve } from './pinned-lookup.js';

/** Attempt settings. */
export interface SendOptions {
  /** Abort the request after this long (ms). */
  timeoutMs: number;
  /** GANMOD_WEBHOOK_HTTP_DEV: http to localhost is allowed (development). */
  allowHttpLocalhost: boolean;
  now?: Date;
  /** The resolver behind the SSRF check (tests); default the system's, `dns.lookup`. */
  resolve?: Resolve;
}

/** Characters of the response body kept. */
const EXCERPT_CHARS = 500;

/**
 * The Standard Webhooks headers for `payload`: one `v1,<base64>` signature per secret,
 * space-separated (the current secret, and the previous one during a rotation's grace period).
 */
export function signatureHeaders(
  delivery: Pick<ClaimedDelivery, 'eventId' | 'secrets' | 'payload'>,
  at: Date,
): Record<string, string> {
  return {
    'webhook-id': delivery.eventId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': delivery.secrets
      .map((secret) => new Webhook(secret).sign(delivery.eventId, at, delivery.payload))
      .join(' '),
  };
}

/** Reads at most `EXCERPT_CHARS` characters of the body, then lets the rest go. */
function excerpt(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      text += chunk;
      if (text.length >= EXCERPT_CHARS) {
        // Enough read: drop the connection rather than download a large body.
        response.destroy();
        resolve(text.slice(0, EXCERPT_CHARS));
      }
    });
    response.once('end', () => resolve(text));
    response.once('error', reject);
  });
}

// Kept-alive connections, one pool per SSRF setting: a connection is only ever reused for the
// host it was opened (and its address checked) for, under the setting it was checked with.
const agents = new Map<string, HttpAgent>();
function agentFor(protocol: string, allowLoopback: boolean): HttpAgent {
  const key = `${protocol} ${allowLoopback}`;
  let agent = agents.get(key);
  if (!agent) {
    const options = { keepAlive: true, lookup: pinnedLookup(allowLoopback) };
    agent = protocol === 'https:' ? new HttpsAgent(options) : new HttpAgent(options);
    agents.set(key, agent);
  }
  return agent;
}

/** POSTs `body` to `url`, connecting through `lookup`; resolves with the response's head. */
function post(
  url: URL,
  headers: Record<string, string>,
  body: Buffer,
  signal: AbortSignal,
  allowLoopback: boolean,
  resolve?: Resolve,
): Promise<IncomingMessage> {
  return new Promise((onResponse, onError) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(body.length) },
      signal,
      // A test's resolver gets a connection of its own; production connections are pooled.
      ...(resolve
        ? { agent: false, lookup: pinnedLookup(allowLoopback, resolve) }
        : { agent: agentFor(url.protocol, allowLoopback) }),
    });
    request.once('response', onResponse);
    request.once('error', onError);
    request.end(body);
  });
}

/**
 * Sends one delivery and says how it went; never throws. A host given by name is resolved and
 * checked when connecting ({@link pinnedLookup}): an internal address is refused, and the request
 * goes to the address checked. Redirects are not followed.
 */
export async function sendWebhook(
  delivery: ClaimedDelivery,
  options: SendOptions,
): Promise<DeliveryAttempt> {
  // Checked again at send time: the setting may have been turned off since the URL was saved.
  const problem = webhookUrlProblem(delivery.url, options.allowHttpLocalhost);
  if (problem) return { ok: false, statusCode: null, response: problem };
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'ganmod-webhooks/1',
      ...signatureHeaders(delivery, options.now ?? new Date()),
    };
    const body = Buffer.from(delivery.payload, 'utf8');
    const url = new URL(delivery.url);
    const response = await post(
      url,
      headers,
      body,
      signal,
      options.allowHttpLocalhost,
      options.resolve,
    );
    const text = await excerpt(response);
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400) {
      const location = String(response.headers.location ?? '');
      return {
        ok: false,
        statusCode: status,
        response: `redirect to ${location.slice(0, 200)} not followed; answer at the callback URL`,
      };
    }
    return { ok: status >= 200 && status < 300, statusCode: status, response: text };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { errors?: { code?: string }[] };
    if (signal.aborted)
      return {
        ok: false,
        statusCode: null,
        response: `no response within ${options.timeoutMs} ms`,
      };
    if (e instanceof RefusedAddressError)
      return { ok: false, statusCode: null, response: `refused: ${e.message}` };
    // A refused dual-stack connect is an AggregateError of one error per address.
    const code = e.code ?? e.errors?.[0]?.code;
    return {
      ok: false,
      statusCode: null,
      response: code ? `no response: ${code}` : `${e.name}: ${e.message}`,
    };
  }
}
