// The streaming multipart reader on real encodings (undici's FormData serializer), cut into
// chunks at every size, and on hand-written edge cases.
import { describe, expect, it } from 'vitest';
import { multipartBoundary, readMultipart } from '../server/platform/multipart';

async function encode(form: FormData): Promise<{ bytes: Uint8Array; contentType: string }> {
  const res = new Response(form);
  return {
    bytes: new Uint8Array(await res.arrayBuffer()),
    contentType: res.headers.get('content-type') ?? '',
  };
}

function chunked(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

const limits = (perField: Record<string, number> = {}) => ({
  fieldBytes: (name: string) => perField[name] ?? 1_000_000,
  maxParts: 8,
  maxHeaderBytes: 1024,
});

describe('readMultipart', () => {
  it('reads text fields and files whatever the chunking', async () => {
    const image = new Uint8Array(3000).map((_, i) => (i * 31) % 256);
    const form = new FormData();
    form.set('externalId', 'post-1');
    form.set('caption', 'héllo 😀\r\n--not a boundary\r\n');
    form.set('image', new Blob([image]), 'a "quoted".png');
    const { bytes, contentType } = await encode(form);
    const boundary = multipartBoundary(contentType)!;
    for (const size of [1, 2, 3, 7, 64, 1000, bytes.length]) {
      const result = await readMultipart(chunked(bytes, size), boundary, limits());
      if (!result.ok) throw new Error(`chunk ${size}: ${JSON.stringify(result)}`);
      const text = (name: string) => new TextDecoder().decode(result.parts.get(name)?.bytes);
      expect(text('externalId')).toBe('post-1');
      expect(text('caption')).toBe('héllo 😀\r\n--not a boundary\r\n');
      expect(result.parts.get('caption')?.filename).toBeUndefined();
      expect(new Uint8Array(result.parts.get('image')!.bytes)).toEqual(image);
      expect(result.parts.get('image')?.filename).toBe('a %22quoted%22.png');
    }
  });

  it('stops at the first field over its limit and names it', async () => {
    const form = new FormData();
    form.set('externalId', 'x');
    form.set('caption', 'c'.repeat(5000));
    form.set('image', new Blob([new Uint8Array(100)]), 'i.png');
    const { bytes, contentType } = await encode(form);
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= bytes.length) return controller.close();
        controller.enqueue(bytes.slice(pulled, pulled + 512));
        pulled += 512;
      },
    });
    const result = await readMultipart(
      body,
      multipartBoundary(contentType)!,
      limits({ caption: 1000 }),
    );
    expect(result).toEqual({ ok: false, problem: 'too-large', field: 'caption', limit: 1000 });
    // Far short of the ~5.3 KB body: the reader stops (the stream may pull one 512-byte chunk
    // ahead into its queue, since the route, not the reader, discards the rest).
    expect(pulled).toBeLessThan(2600);
  });

  it('counts repeats of a field against its limit and keeps the first', async () => {
    const form = new FormData();
    form.append('tag', 'a'.repeat(600));
    form.append('tag', 'b'.repeat(600));
    const { bytes, contentType } = await encode(form);
    const boundary = multipartBoundary(contentType)!;
    expect(await readMultipart(chunked(bytes, 100), boundary, limits({ tag: 1000 }))).toMatchObject(
      {
        ok: false,
        field: 'tag',
      },
    );
    const ok = await readMultipart(chunked(bytes, 100), boundary, limits({ tag: 2000 }));
    expect(ok.ok && new TextDecoder().decode(ok.parts.get('tag')?.bytes)).toBe('a'.repeat(600));
  });

  it('refuses truncated bodies, nameless parts and too many parts', async () => {
    const form = new FormData();
    form.set('a', '1');
    const { bytes, contentType } = await encode(form);
    const boundary = multipartBoundary(contentType)!;
    expect(
      await readMultipart(chunked(bytes.slice(0, bytes.length - 10), 9), boundary, limits()),
    ).toMatchObject({ ok: false, problem: 'malformed' });
    const nameless = new TextEncoder().encode(
      `--${boundary}\r\nContent-Type: text/plain\r\n\r\nx\r\n--${boundary}--\r\n`,
    );
    expect(await readMultipart(chunked(nameless, 5), boundary, limits())).toMatchObject({
      ok: false,
      detail: 'a part has no form-data name',
    });
    const many = new FormData();
    for (let i = 0; i < 9; i++) many.append(`f${i}`, 'v');
    const encoded = await encode(many);
    expect(
      await readMultipart(
        chunked(encoded.bytes, 50),
        multipartBoundary(encoded.contentType)!,
        limits(),
      ),
    ).toMatchObject({ ok: false, detail: 'more than 8 parts' });
  });

  it('finds the boundary only in multipart/form-data content types', () => {
    expect(multipartBoundary('multipart/form-data; boundary=abc')).toBe('abc');
    expect(multipartBoundary('multipart/form-data; boundary="a b"')).toBe('a b');
    expect(multipartBoundary('application/json')).toBeNull();
    expect(multipartBoundary('multipart/form-data')).toBeNull();
    expect(multipartBoundary(null)).toBeNull();
  });
});
