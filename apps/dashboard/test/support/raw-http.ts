// HTTP through node:http, for what fetch will not do: a chosen Host header, a chosen local
// address (127.0.0.2 is another client on loopback), a chunked body.
import { request } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = unknown>(): T;
}

export interface RawInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body chunked, without Content-Length. */
  chunked?: boolean;
  localAddress?: string;
}

export function rawRequest(url: string, init: RawInit = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (init.body !== undefined && !init.chunked) {
      headers['content-length'] = String(Buffer.byteLength(init.body));
    }
    const req = request(url, {
      method: init.method ?? 'GET',
      headers,
      localAddress: init.localAddress,
      agent: false,
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          json: <T>() => JSON.parse(text) as T,
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

/** The cookie pair(s) a sign-in response set, ready for a Cookie header. */
export function cookiesOf(res: RawResponse): string {
  const set = res.headers['set-cookie'] ?? [];
  return (Array.isArray(set) ? set : [set]).map((c) => c.split(';')[0]).join('; ');
}
