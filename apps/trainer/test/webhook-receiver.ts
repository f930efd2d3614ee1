// A real HTTP receiver for webhook tests and the benchmark: verifies every request with the
// `standardwebhooks` package, as a platform would, and records what arrived.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookPayload } from '@ganmod/db';
import { Webhook } from 'standardwebhooks';

/** One request as it arrived. */
export interface ReceivedWebhook {
  id: string;
  body: string;
  payload: WebhookPayload;
  /** The signature verified with the secret given to the receiver. */
  verified: boolean;
  /** What the receiver answered. */
  status: number;
  receivedAt: number;
}

export interface Receiver {
  url: string;
  received: ReceivedWebhook[];
  /** Requests answered 2xx. */
  accepted(): ReceivedWebhook[];
  /** Most requests handled at once. */
  maxInFlight(): number;
  /** Requests open now (arrived, not yet answered). */
  inFlight(): number;
  close(): Promise<void>;
}

export interface ReceiverBehaviour {
  /** The secret(s) to verify with (any one verifying counts). */
  secrets: () => string[];
  /** The status to answer request number `n` (0-based) with; default 200. */
  status?: (n: number) => number;
  /** How long to wait before answering (ms). */
  delayMs?: number;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

export async function startReceiver(behaviour: ReceiverBehaviour): Promise<Receiver> {
  const received: ReceivedWebhook[] = [];
  let open = 0;
  let max = 0;
  let n = 0;
  const server: Server = createServer((req, res) => {
    open++;
    max = Math.max(max, open);
    const index = n++;
    void readBody(req).then(async (body) => {
      const headers = {
        'webhook-id': String(req.headers['webhook-id'] ?? ''),
        'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
      };
      const verified = behaviour.secrets().some((secret) => {
        try {
          new Webhook(secret).verify(body, headers);
          return true;
        } catch {
          return false;
        }
      });
      const status = verified ? (behaviour.status?.(index) ?? 200) : 400;
      received.push({
        id: headers['webhook-id'],
        body,
        payload: JSON.parse(body) as WebhookPayload,
        verified,
        status,
        receivedAt: Date.now(),
      });
      if (behaviour.delayMs) await new Promise((r) => setTimeout(r, behaviour.delayMs));
      open--;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'boom');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/ganmod`,
    received,
    accepted: () => received.filter((r) => r.status < 300),
    maxInFlight: () => max,
    inFlight: () => open,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
