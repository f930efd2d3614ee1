/**
 * A streaming `multipart/form-data` reader with a byte limit per field, so a request is refused
 * as soon as one field outgrows its own limit, and the refusal names that field. (Parsers that
 * report a text field only once it has ended, and a cap on the whole body, cannot tell an
 * oversized caption from an oversized image.) The boundary search is streamsearch's, the
 * Boyer-Moore-Horspool matcher busboy is built on.
 */
import StreamSearch from 'streamsearch';

/** One form field as read: its bytes, and its file name when it was sent as a file. */
export interface FormPart {
  bytes: Uint8Array;
  filename: string | undefined;
}

/** The outcome of {@link readMultipart}. */
export type MultipartResult =
  /** The first part of each name (later repeats count against the limit but are dropped). */
  | { ok: true; parts: Map<string, FormPart> }
  | { ok: false; problem: 'malformed'; detail: string }
  /** `field` has more than `limit` bytes (in total over its repeats); reading stopped there. */
  | { ok: false; problem: 'too-large'; field: string; limit: number };

/** Limits of {@link readMultipart}. */
export interface MultipartLimits {
  /** Byte limit of the field `name` (cumulative over repeats). */
  fieldBytes(name: string): number;
  /** Most parts in one body. */
  maxParts: number;
  /** Largest header block of one part. */
  maxHeaderBytes: number;
}

const CRLF_CRLF = Buffer.from('\r\n\r\n');

/**
 * A body to read: a Web stream (a route handler's `Request.body`), or the chunks of a Node
 * request (`IncomingMessage.iterator({ destroyOnReturn: false })`, which stays open when the
 * reader stops early).
 */
export type BodySource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** The chunks of `body`; stopping early releases a Web stream's lock without cancelling it. */
async function* chunksOf(body: BodySource): AsyncGenerator<Uint8Array> {
  if (!('getReader' in body)) {
    yield* body;
    return;
  }
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** The boundary of a `multipart/form-data` Content-Type, or null. */
export function multipartBoundary(contentType: string | null): string | null {
  if (!contentType || !/^\s*multipart\/form-data\s*(;|$)/i.test(contentType)) return null;
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2] ?? null) : null;
}

/** `name` and `filename` of a part from its headers (RFC 7578: Content-Disposition: form-data). */
function disposition(headers: string): { name: string; filename: string | undefined } | null {
  const line = headers
    .split('\r\n')
    .find((l) => /^content-disposition\s*:/i.test(l))
    ?.replace(/^content-disposition\s*:\s*/i, '');
  if (!line || !/^form-data\s*(;|$)/i.test(line)) return null;
  const param = (key: string) =>
    new RegExp(`;\\s*${key}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, 'i').exec(line);
  const name = param('name');
  if (!name) return null;
  const filename = param('filename');
  const unquote = (m: RegExpExecArray) => (m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1');
  return { name: unquote(name), filename: filename ? unquote(filename) : undefined };
}

/**
 * Reads a multipart body, stopping at the first field over its limit.
 *
 * @param boundary from {@link multipartBoundary}.
 */
export async function readMultipart(
  body: BodySource | null,
  boundary: string,
  limits: MultipartLimits,
): Promise<MultipartResult> {
  const parts = new Map<string, FormPart>();
  const sizes = new Map<string, number>();
  // Assigned inside the search callback: declared wide so control flow does not narrow them.
  let state = 'preamble' as 'preamble' | 'headers' | 'body' | 'done';
  let header: Buffer[] = [];
  let headerBytes = 0;
  let partCount = 0;
  let current = null as {
    name: string;
    filename: string | undefined;
    chunks: Buffer[];
    keep: boolean;
  } | null;
  let failure = null as MultipartResult | null;

  const finishPart = () => {
    if (current?.keep) {
      parts.set(current.name, { bytes: Buffer.concat(current.chunks), filename: current.filename });
    }
    current = null;
  };

  const onBodyData = (chunk: Buffer) => {
    if (!current) return;
    const size = (sizes.get(current.name) ?? 0) + chunk.length;
    sizes.set(current.name, size);
    const limit = limits.fieldBytes(current.name);
    if (size > limit) {
      failure = { ok: false, problem: 'too-large', field: current.name, limit };
      return;
    }
    if (current.keep) current.chunks.push(Buffer.from(chunk));
  };

  const onHeaderData = (chunk: Buffer) => {
    header.push(Buffer.from(chunk));
    headerBytes += chunk.length;
    const block = Buffer.concat(header);
    if (block.subarray(0, 2).toString('latin1') === '--') {
      state = 'done'; // close delimiter: the epilogue is ignored
      return;
    }
    const end = block.indexOf(CRLF_CRLF);
    if (end === -1) {
      if (headerBytes > limits.maxHeaderBytes)
        failure = { ok: false, problem: 'malformed', detail: 'a part header is too long' };
      return;
    }
    if (++partCount > limits.maxParts) {
      failure = { ok: false, problem: 'malformed', detail: `more than ${limits.maxParts} parts` };
      return;
    }
    const d = disposition(block.subarray(0, end).toString('utf8'));
    if (!d) {
      failure = { ok: false, problem: 'malformed', detail: 'a part has no form-data name' };
      return;
    }
    current = { ...d, chunks: [], keep: !parts.has(d.name) };
    header = [];
    headerBytes = 0;
    state = 'body';
    const rest = block.subarray(end + CRLF_CRLF.length);
    if (rest.length > 0) onBodyData(rest);
  };

  const closed = () => state === 'done';
  const search = new StreamSearch(`\r\n--${boundary}`, (isMatch, data, start, end) => {
    if (failure || state === 'done') return;
    if (data && end > start) {
      const chunk = data.subarray(start, end);
      if (state === 'headers') onHeaderData(chunk);
      else if (state === 'body') onBodyData(chunk);
    }
    // The data before this match may have been the close delimiter (state 'done' now).
    if (!isMatch || failure || closed()) return;
    if (state === 'body') finishPart();
    else if (state === 'headers')
      failure = { ok: false, problem: 'malformed', detail: 'a part ends inside its header' };
    state = 'headers';
  });

  // The first boundary has no CRLF before it; the needle does.
  search.push(Buffer.from('\r\n'));
  // Stops reading at a failure or the close delimiter: the rest of the body (an oversized field,
  // or the epilogue) is not wanted here. The source is left open, not cancelled, so the caller can
  // discard the rest before answering (a cancelled upload resets the client's connection).
  if (body) {
    for await (const value of chunksOf(body)) {
      search.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
      if (failure || state === 'done') break;
    }
  }
  if (failure) return failure;
  if (state !== 'done')
    return { ok: false, problem: 'malformed', detail: 'the body ends before its closing boundary' };
  return { ok: true, parts };
}
