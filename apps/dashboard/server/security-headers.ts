/**
 * The response headers that guard every page and file of the dashboard (issue 12): a strict
 * Content-Security-Policy built per request around a nonce, and the fixed headers below. Free of
 * Node APIs: the proxy imports it, and so does next.config.ts.
 */

/** Headers whose value never changes: next.config.ts sets them on every response. */
export const STATIC_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  // The dashboard needs none of these powerful features; no embedded page may ask for them either.
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

/** One year, on this host and its subdomains; sent only when the public URL is https. */
export const HSTS_VALUE = 'max-age=31536000; includeSubDomains';

/** A fresh, unguessable nonce (128 random bits, base64) for one response. */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/**
 * The Content-Security-Policy of one response, as Next documents it for nonces: scripts run only
 * when they carry `nonce` (Next adds it to its own scripts, read from the request's CSP header)
 * or are loaded by one that does (`'strict-dynamic'`).
 *
 * `'wasm-unsafe-eval'` lets pages compile WebAssembly (never JavaScript from strings): the
 * playground's TensorFlow.js bundle carries long.js, which instantiates a tiny wasm module for
 * 64-bit multiplication.
 *
 * Styles allow `'unsafe-inline'`: React renders `style="…"` attributes (progress bars, chart
 * sizes) and Radix's scroll lock injects a `<style>` element without a nonce; neither can run
 * script. `'unsafe-eval'` only in `next dev`, where React rebuilds server stacks with eval.
 */
export function contentSecurityPolicy(
  nonce: string | null,
  options: { dev?: boolean } = {},
): string {
  const directives: [string, ...string[]][] = [
    ['default-src', "'self'"],
    [
      'script-src',
      "'self'",
      ...(nonce ? [`'nonce-${nonce}'`] : []),
      "'strict-dynamic'",
      "'wasm-unsafe-eval'",
      ...(options.dev ? ["'unsafe-eval'"] : []),
    ],
    ['style-src', "'self'", "'unsafe-inline'"],
    ['img-src', "'self'", 'data:', 'blob:'],
    ['font-src', "'self'"],
    ['connect-src', "'self'"],
    ['worker-src', "'self'", 'blob:'],
    ['object-src', "'none'"],
    ['base-uri', "'self'"],
    ['form-action', "'self'"],
    ['frame-ancestors', "'none'"],
  ];
  return directives.map((d) => d.join(' ')).join('; ');
}

/**
 * The policy of responses the proxy does not see (API routes, build files): the same directives
 * without a nonce, so an HTML document served from there could run no script at all.
 */
export const NONCELESS_CONTENT_SECURITY_POLICY = contentSecurityPolicy(null);

/** True when the dashboard's public URL (BETTER_AUTH_URL) is https, i.e. HSTS is safe to send. */
export function servesHttps(publicUrl: string | undefined): boolean {
  return /^https:\/\//i.test(publicUrl?.trim() ?? '');
}
