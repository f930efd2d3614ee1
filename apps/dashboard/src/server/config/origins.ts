// The origins the dashboard is reached at, from configuration only: never from the request's own
// Host or X-Forwarded-Host, which a DNS-rebinding page or a client controls. Free of Next and
// TensorFlow imports so the server entry and tests can load it.
import { loadEnvironment } from '@ganmod/config';

/** Where browsers reach the dashboard. */
export interface OriginConfig {
  /** BETTER_AUTH_URL as configured (better-auth's base URL), when set. */
  baseURL: string | undefined;
  /** Every origin whose requests may change state (exact `scheme://host[:port]` strings). */
  origins: readonly string[];
}

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/** The origin plus, for a loopback host, the same scheme and port on the other loopback names. */
function withLoopbackAliases(origin: string): string[] {
  const url = new URL(origin);
  if (!LOOPBACK_HOSTS.includes(url.hostname)) return [url.origin];
  const port = url.port ? `:${url.port}` : '';
  return LOOPBACK_HOSTS.map((host) => `${url.protocol}//${host}${port}`);
}

/**
 * The trusted origins: `BETTER_AUTH_URL` plus `GANMOD_TRUSTED_ORIGINS` (both validated by
 * `@ganmod/config`, which names the variable when a value is malformed). Production requires
 * BETTER_AUTH_URL; elsewhere (`next dev`) it defaults to http://localhost:$PORT.
 */
export function parseOriginConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): OriginConfig {
  const environment = loadEnvironment(env as NodeJS.ProcessEnv);
  const configured = environment.vars.BETTER_AUTH_URL;
  if (!configured && env.NODE_ENV === 'production') {
    throw new Error(
      'BETTER_AUTH_URL is not set: set it to the URL people open the dashboard at (e.g. https://ganmod.example.com). Requests that change state are only accepted from that origin (plus GANMOD_TRUSTED_ORIGINS).',
    );
  }
  const base = configured ?? `http://localhost:${environment.port}`;
  const origins = [base, ...environment.trustedOrigins].flatMap(withLoopbackAliases);
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
