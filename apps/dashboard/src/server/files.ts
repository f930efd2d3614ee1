import 'server-only';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { Readable } from 'node:stream';

/**
 * Resolves `relativePath` under `root` and returns the real path only if it stays inside `root`
 * after symlinks are followed; null for `..` escapes, absolute paths, and missing files.
 */
export async function resolveInside(root: string, relativePath: string): Promise<string | null> {
  if (isAbsolute(relativePath)) return null;
  try {
    const realRoot = await realpath(root);
    const real = await realpath(resolve(realRoot, relativePath));
    const rel = relative(realRoot, real);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null;
    return real;
  } catch {
    return null;
  }
}

/** Streams a file as a Response, without reading it into memory. */
export async function streamFile(
  path: string,
  contentType: string,
  cacheSeconds = 3600,
): Promise<Response> {
  const info = await stat(path);
  const body = Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
  return new Response(body, {
    headers: {
      'content-type': contentType,
      'content-length': String(info.size),
      'cache-control': `private, max-age=${cacheSeconds}`,
      'x-content-type-options': 'nosniff',
    },
  });
}
