import type { IncomingMessage } from 'node:http';

/** How much of an unwanted request body {@link discardRest} reads, at most. */
const DISCARD_MAX_BYTES = 64 * 1024 * 1024;
const DISCARD_MAX_MS = 2000;

/**
 * Reads and throws away `chunks` until they end, 64 MB have passed or 2 s are up; true when the
 * body ended within those limits.
 */
async function drain(chunks: AsyncIterable<Uint8Array>): Promise<boolean> {
  const deadline = Date.now() + DISCARD_MAX_MS;
  let seen = 0;
  for await (const chunk of chunks) {
    seen += chunk.byteLength;
    if (seen > DISCARD_MAX_BYTES || Date.now() > deadline) return false;
  }
  return true;
}

/** The chunks `reader` reads (its lock stays held). */
async function* readerChunks(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}

/**
 * Reads and throws away the rest of a body (up to 64 MB or 2 s, chunk by chunk, nothing kept),
 * then cancels what is left. Answering while a client is still uploading makes the server reset
 * the connection, and the client then sees ECONNRESET instead of the 4xx it should read.
 */
export async function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  try {
    if (!(await drain(readerChunks(reader)))) await reader.cancel();
  } catch {
    // The client went away: nothing left to read.
  }
}

/** Sends `response` once the request's unread body has been discarded ({@link discardRest}). */
export async function answerAfterDiscarding(req: Request, response: Response): Promise<Response> {
  if (req.body && !req.body.locked) await discardRest(req.body.getReader());
  return response;
}

/**
 * {@link discardRest} for a Node request: reads and throws away what is left of its body (up to
 * 64 MB or 2 s), leaving the connection open for the answer.
 */
export async function discardNodeBody(req: IncomingMessage): Promise<void> {
  if (req.readableEnded || req.destroyed) return;
  try {
    await drain(req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>);
  } catch {
    // The client went away: nothing left to read.
  }
}
