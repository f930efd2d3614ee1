import 'server-only';
import { MAX_BODY_BYTES } from '../../../server/protocol';

/**
 * Reads a request body as text, giving up (and cancelling the stream) past `limit` bytes. The
 * dashboard's server already refuses larger declared bodies; this keeps `next dev` bounded too.
 * Returns null when the body is too large.
 */
export async function readCappedText(
  req: Request,
  limit: number = MAX_BODY_BYTES,
): Promise<string | null> {
  const bytes = await readCappedBytes(req, limit);
  return bytes === null ? null : Buffer.from(bytes).toString('utf8');
}

/** {@link readCappedText}, as bytes. */
export async function readCappedBytes(
  req: Request,
  limit: number = MAX_BODY_BYTES,
): Promise<Uint8Array | null> {
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** The 413 answer naming the limit. */
export function bodyTooLarge(limit: number = MAX_BODY_BYTES): Response {
  return Response.json(
    { error: `Request body too large: the limit is ${limit} bytes (${limit / 1024} KB).` },
    { status: 413 },
  );
}

/** How much of an unwanted request body {@link discardRest} reads, at most. */
const DISCARD_MAX_BYTES = 64 * 1024 * 1024;
const DISCARD_MAX_MS = 2000;

/**
 * Reads and throws away the rest of a body (up to 64 MB or 2 s, chunk by chunk, nothing kept),
 * then cancels what is left. Answering while a client is still uploading makes the server reset
 * the connection, and the client then sees ECONNRESET instead of the 4xx it should read.
 */
export async function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  const deadline = Date.now() + DISCARD_MAX_MS;
  let seen = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      seen += value.byteLength;
      if (seen > DISCARD_MAX_BYTES || Date.now() > deadline) break;
    }
    await reader.cancel();
  } catch {
    // The client went away: nothing left to read.
  }
}

/** Sends `response` once the request's unread body has been discarded ({@link discardRest}). */
export async function answerAfterDiscarding(req: Request, response: Response): Promise<Response> {
  if (req.body && !req.body.locked) await discardRest(req.body.getReader());
  return response;
}
