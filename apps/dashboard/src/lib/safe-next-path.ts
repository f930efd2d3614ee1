/** Where sign-in sends people when `next` is missing or unsafe. */
export const DEFAULT_NEXT_PATH = '/';

/** How many layers of percent-encoding are peeled off before giving up on a value. */
const MAX_DECODE_DEPTH = 5;
const MAX_LENGTH = 2048;

// Browsers treat `\` as `/` in http(s) URLs and drop tabs and newlines anywhere in them, so
// `/\evil.example` and `/\t/evil.example` both become the protocol-relative `//evil.example`.
// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
const CONTROL_OR_BACKSLASH = /[\u0000-\u001f\u007f\\]/;

/** False when one layer of a `next` value could leave the origin. */
function layerIsSafe(value: string): boolean {
  return (
    value.startsWith('/') &&
    !value.startsWith('//') &&
    !CONTROL_OR_BACKSLASH.test(value) &&
    // A scheme-like prefix (`/javascript:` cannot happen after the `/` check, but `%2F` layers can).
    !/^[a-z][a-z0-9+.-]*:/i.test(value)
  );
}

/**
 * The same-origin path (path, query and hash) that `raw` names, or `/` when it could send the
 * browser anywhere else: only values that start with exactly one `/` are kept, and none with a
 * backslash, a control character (tab, newline...), or a `//` prefix at any percent-decoding
 * depth (`/%2F%2Fevil.example`, `/%5Cevil.example`). The result is the URL parser's normalised
 * form, checked again, so `/a/..//evil.example` cannot normalise into `//evil.example` either.
 *
 * Free of Node and browser APIs beyond `URL`: used by the proxy, the sign-in page and its form.
 */
export function safeNextPath(raw: string | null | undefined): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_LENGTH) {
    return DEFAULT_NEXT_PATH;
  }
  let layer = raw;
  for (let depth = 0; ; depth++) {
    if (!layerIsSafe(layer)) return DEFAULT_NEXT_PATH;
    let decoded: string;
    try {
      decoded = decodeURIComponent(layer);
    } catch {
      return DEFAULT_NEXT_PATH; // malformed escapes: nothing a link of ours produces
    }
    if (decoded === layer) break;
    if (depth >= MAX_DECODE_DEPTH) return DEFAULT_NEXT_PATH;
    layer = decoded;
  }
  const base = 'http://next.invalid';
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return DEFAULT_NEXT_PATH;
  }
  const path = url.pathname + url.search + url.hash;
  if (url.origin !== base || !layerIsSafe(url.pathname)) return DEFAULT_NEXT_PATH;
  return path;
}
