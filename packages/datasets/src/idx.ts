/**
 * Reader for the IDX format of MNIST and Fashion-MNIST (big-endian header, then raw bytes),
 * plain or gzipped. Only unsigned-byte payloads exist in these sets, so only those are accepted.
 */
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { DatasetError } from './errors.js';

const gunzipAsync = promisify(gunzip);

/** A parsed IDX file: its dimensions and its payload bytes (a view, no copy). */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE_TYPE = 0x08;

/**
 * Parse an IDX buffer. `source` only names the file in error messages.
 * @throws DatasetError when the magic number, type or length is wrong.
 */
export function parseIdx(buffer: Uint8Array, source: string): IdxArray {
  if (buffer.length < 4 || buffer[0] !== 0 || buffer[1] !== 0) {
    throw new DatasetError(`${source} is not an IDX file (bad magic number)`);
  }
  if (buffer[2] !== UBYTE_TYPE) {
    throw new DatasetError(
      `${source}: IDX element type 0x${buffer[2]!.toString(16)} is not unsigned byte`,
    );
  }
  const rank = buffer[3]!;
  const headerLength = 4 + 4 * rank;
  if (rank === 0 || buffer.length < headerLength) {
    throw new DatasetError(`${source}: IDX header is truncated`);
  }
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const expected = headerLength + dims.reduce((a, b) => a * b, 1);
  if (buffer.length !== expected) {
    throw new DatasetError(
      `${source}: IDX dims [${dims.join(', ')}] need ${expected} bytes, file has ${buffer.length}`,
    );
  }
  return { dims, data: buffer.subarray(headerLength) };
}

/** Read and parse an IDX file, gunzipping it when it starts with the gzip magic bytes. */
export async function readIdxFile(path: string): Promise<IdxArray> {
  let bytes: Uint8Array = await readFile(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = await gunzipAsync(bytes);
    } catch (cause) {
      throw new DatasetError(`${path}: gzip data is damaged (${(cause as Error).message})`, {
        cause,
      });
    }
  }
  return parseIdx(bytes, path);
}
