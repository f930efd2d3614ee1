/**
 * One webhook attempt: a POST signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`, HMAC-SHA256 by the `standardwebhooks` package), a short timeout, and no
 * redirects followed (a 3xx is a failed attempt: the receiver must answer at the URL it gave).
 */
import { webhookUrlProblem, type ClaimedDelivery, type DeliveryAttempt } from '@ganmod/db';
import { Webhook } from 'standardwebhooks';

/** Attempt settings. */
export interface SendOptions {
  /** Abort the request after this long (ms). */
  timeoutMs: number;
  /** GANMOD_WEBHOOK_HTTP_DEV: http to localhost is allowed (development). */
  allowHttpLocalhost: boolean;
  now?: Date;
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
async function excerpt(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < EXCERPT_CHARS) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return text.slice(0, EXCERPT_CHARS);
}

/** Sends one delivery and says how it went; never throws. */
export async function sendWebhook(
  delivery: ClaimedDelivery,
  options: SendOptions,
): Promise<DeliveryAttempt> {
  // Checked again at send time: the setting may have been turned off since the URL was saved.
  const problem = webhookUrlProblem(delivery.url, options.allowHttpLocalhost);
  if (problem) return { ok: false, statusCode: null, response: problem };
  try {
    const response = await fetch(delivery.url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'ganmod-webhooks/1',
        ...signatureHeaders(delivery, options.now ?? new Date()),
      },
      body: delivery.payload,
    });
    const body = await excerpt(response);
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get('location') ?? '';
      return {
        ok: false,
        statusCode: response.status,
        response: `redirect to ${location.slice(0, 200)} not followed; answer at the callback URL`,
      };
    }
    return { ok: response.ok, statusCode: response.status, response: body };
  } catch (err) {
    // fetch's errors carry the socket's reason in `cause` (an AggregateError for several addresses).
    const e = err as Error & { cause?: { code?: string; errors?: { code?: string }[] } };
    const code = e.cause?.code ?? e.cause?.errors?.[0]?.code;
    const why =
      e.name === 'TimeoutError'
        ? `no response within ${options.timeoutMs} ms`
        : code
          ? `no response: ${code}`
          : `${e.name}: ${e.message}`;
    return { ok: false, statusCode: null, response: why };
  }
}
