import type { IncomingHttpHeaders } from 'node:http';

/** Paths whose bodies have their own limits (the platform API's multipart submissions, and the
 * hash bank's image search and list import, which check type and size before reading). */
const EXEMPT_PREFIXES = ['/api/v1/', '/api/bank/'];

/** Why a request body is refused before it is read, or null when it may be read. */
export interface BodyRefusal {
  status: 411 | 413;
  error: string;
}

/**
 * Checks a request's declared body size against `limit` before any byte of the body is read.
 * A body must declare its length (browsers and the tRPC client always do): a chunked body without
 * Content-Length is refused with 411, since counting it would mean reading it. Node's HTTP parser
 * ends the body at Content-Length, so a declared length is an enforced one.
 */
export function refuseBody(
  rawUrl: string,
  headers: IncomingHttpHeaders,
  limit: number,
): BodyRefusal | null {
  // Exempt only when the raw target and its normalised path agree (no dot-segment games).
  const path = new URL(rawUrl, 'http://localhost').pathname;
  if (EXEMPT_PREFIXES.some((prefix) => path.startsWith(prefix) && rawUrl.startsWith(prefix))) {
    return null;
  }
  const declared = headers['content-length'];
  if (declared === undefined) {
    if (headers['transfer-encoding'] === undefined) return null;
    return {
      status: 411,
      error: `A request body needs a Content-Length header here (at most ${limit} bytes).`,
    };
  }
  const length = Number(declared);
  if (!Number.isSafeInteger(length) || length < 0) {
    return { status: 413, error: `Content-Length "${declared}" is not a byte count.` };
  }
  if (length > limit) {
    return {
      status: 413,
      error: `Request body too large: ${length} bytes, the limit is ${limit} bytes (${limit / 1024} KB).`,
    };
  }
  return null;
}
