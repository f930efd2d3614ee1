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
