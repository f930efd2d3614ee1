// A tiny, valid PNG encoder (RGB, no filtering) for tests: real images without fixtures.
import { deflateSync } from 'node:zlib';

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A `size`x`size` PNG filled by `pixel(x, y)` -> [r, g, b]. */
export function makePng(
  size: number,
  pixel: (x: number, y: number) => [number, number, number],
): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const raw = Buffer.alloc(size * (1 + size * 3));
  for (let y = 0; y < size; y++) {
    const row = y * (1 + size * 3);
    for (let x = 0; x < size; x++) raw.set(pixel(x, y), row + 1 + x * 3);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A distinct little picture per seed (a coloured gradient with a diagonal). */
export function samplePng(seed: number, size = 64): Buffer {
  const hue = (seed * 67) % 255;
  return makePng(size, (x, y) =>
    Math.abs(x - y) < 3 ? [255, 255, 255] : [(hue + x * 2) % 255, (y * 3) % 255, (255 - hue) % 255],
  );
}

/**
 * One asymmetric picture (rings off-centre and a bar in one corner), drawn at any `size` and
 * optionally mirrored left-right: what a re-uploader's resized, flipped copy of an image looks like.
 */
export function ringsPng(size: number, mirror = false): Buffer {
  return makePng(size, (x, y) => {
    const u = (mirror ? size - 1 - x : x) / size;
    const v = y / size;
    const ring = Math.sin(Math.hypot(u - 0.3, v - 0.4) * 40) > 0 ? 220 : 30;
    const bar = u > 0.7 && v < 0.5 ? 255 : 0;
    return [ring, (ring + bar + 40) % 256, bar];
  });
}
