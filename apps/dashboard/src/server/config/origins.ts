// The origins the dashboard is reached at, from configuration only: never from the request's own
// Host or X-Forwarded-Host, which a DNS-rebinding page or a client controls. Free of Next and
// TensorFlow imports so the server entry and tests can load it.
import { z } from 'zod';

/** Where browsers reach the dashboard. */
export interface OriginConfig {
  /** BETTER_AUTH_URL as configured (better-auth's base URL), when set. */
  baseURL: string | undefined;
  /** Every origin whose requests may change state (exact `scheme://host[:port]` strings). */
  origins: readonly string[];
}

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

function originOf(variable: string) {
  return z
    .string()
    .trim()
    .transform((value, ctx) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: `${variable}: "${value}" is not a URL` });
        return z.NEVER;
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        ctx.addIssue({
          code: 'custom',
          message: `${variable}: "${value}" must start with http:// or https://`,
        });
        return z.NEVER;
      }
      return url;
    });
}

/** The origin plus, for a loopback host, the same scheme and port on the other loopback names. */
function withLoopbackAliases(url: URL): string[] {
  if (!LOOPBACK_HOSTS.includes(url.hostname)) return [url.origin];
  const port = url.port ? `:${url.port}` : '';
  return LOOPBACK_HOSTS.map((host) => `${url.protocol}//${host}${port}`);
}

/**
 * Reads the trusted origins from `BETTER_AUTH_URL` and `GANMOD_TRUSTED_ORIGINS` (comma-separated;
 * `BETTER_AUTH_TRUSTED_ORIGINS` is read as an older alias). Production requires BETTER_AUTH_URL;
 * elsewhere (`next dev`) it defaults to http://localhost:$PORT. Throws an error naming the
 * variable when a value is malformed.
 */
export function parseOriginConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): OriginConfig {
  const configured = env.BETTER_AUTH_URL?.trim() || undefined;
  if (!configured && env.NODE_ENV === 'production') {
    throw new Error(
      'BETTER_AUTH_URL is not set: set it to the URL people open the dashboard at (e.g. https://ganmod.example.com). Requests that change state are only accepted from that origin (plus GANMOD_TRUSTED_ORIGINS).',
    );
  }
  const base = originOf('BETTER_AUTH_URL').safeParse(
    configured ?? `http://localhost:${env.PORT?.trim() || '3000'}`,
  );
  const extraVariable = env.GANMOD_TRUSTED_ORIGINS
    ? 'GANMOD_TRUSTED_ORIGINS'
    : 'BETTER_AUTH_TRUSTED_ORIGINS';
  const extra = z.array(originOf(extraVariable)).safeParse(
    (env.GANMOD_TRUSTED_ORIGINS ?? env.BETTER_AUTH_TRUSTED_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  );
  const issues = [...(base.error?.issues ?? []), ...(extra.error?.issues ?? [])];
  if (!base.success || !extra.success) {
    throw new Error(`Invalid origin configuration: ${issues.map((i) => i.message).join('; ')}`);
  }
  const origins = [base.data, ...extra.data].flatMap(withLoopbackAliases);
  return { baseURL: configured, origins: [...new Set(origins)] };
}

const globalForOrigins = globalThis as unknown as { ganmodOrigins?: OriginConfig };

/** The process's origin configuration, parsed once on first use. */
export function originConfig(): OriginConfig {
  globalForOrigins.ganmodOrigins ??= parseOriginConfig();
  return globalForOrigins.ganmodOrigins;
}

/** Whether `value` (an Origin header or a Referer URL) belongs to a trusted origin. */
export function isTrustedOrigin(value: string, origins: readonly string[]): boolean {
  try {
    return origins.includes(new URL(value).origin);
  } catch {
    return false;
  }
}
