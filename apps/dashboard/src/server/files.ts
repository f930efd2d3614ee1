import 'server-only';
import { createReadStream } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pack as tarPack } from 'tar-stream';

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

/** Regular files under `dir` (recursively), as paths relative to it, sorted; symlinks are skipped. */
export async function listFiles(
  dir: string,
): Promise<{ rel: string; size: number; mtime: Date }[]> {
  const out: { rel: string; size: number; mtime: Date }[] = [];
  const walk = async (sub: string): Promise<void> => {
    const entries = await readdir(join(dir, sub), { withFileTypes: true });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(rel);
      else if (entry.isFile()) {
        // lstat, not stat: a symlink planted in the store must not pull outside files in.
        const info = await lstat(join(dir, rel));
        out.push({ rel, size: info.size, mtime: info.mtime });
      }
    }
  };
  await walk('');
  return out;
}

/**
 * Streams the regular files of `dir` as an uncompressed tar whose entries live under `folder/`,
 * one file at a time (backpressure from the client paces the disk reads; nothing is buffered whole).
 * Weights do not compress usefully, so no gzip.
 */
export async function streamDirectoryTar(
  dir: string,
  folder: string,
  filename: string,
): Promise<Response> {
  const files = await listFiles(dir);
  const tar = tarPack();
  void (async () => {
    try {
      for (const file of files) {
        await new Promise<void>((done, fail) => {
          const entry = tar.entry(
            { name: `${folder}/${file.rel}`, size: file.size, mtime: file.mtime, mode: 0o644 },
            (err) => (err ? fail(err) : done()),
          );
          const source = createReadStream(join(dir, file.rel));
          source.on('error', fail);
          source.pipe(entry);
        });
      }
      tar.finalize();
    } catch (err) {
      tar.destroy(err as Error);
    }
  })();
  const body = Readable.toWeb(Readable.from(tar)) as ReadableStream<Uint8Array>;
  return new Response(body, {
    headers: {
      'content-type': 'application/x-tar',
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
    },
  });
}
