import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ModerationInputError, type InputErrorCode } from '../src/errors.js';
import { decodeImage } from '../src/input/decode.js';
import { sniffImage } from '../src/contract/sniff.js';
import { DEFAULT_INPUT_LIMITS } from '../src/contract/limits.js';
import { validateImage, validateItem } from '../src/input/validate.js';
import { emojiPhoto } from './fixtures.js';

/** Runs `fn` and returns the ModerationInputError it throws (fails the test otherwise). */
async function refusal(fn: () => unknown): Promise<ModerationInputError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ModerationInputError);
    return err as ModerationInputError;
  }
  throw new Error('expected a ModerationInputError, nothing was thrown');
}

/** Header check, then decode: the same two steps the pipeline runs. */
async function admit(bytes: Uint8Array): Promise<void> {
  const header = validateImage(bytes);
  await decodeImage(bytes, header, DEFAULT_INPUT_LIMITS.maxPixels);
}

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A well-formed PNG skeleton whose IHDR claims `width` x `height` (a decompression bomb). */
function pngClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', new Uint8Array(0)),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

describe('bad-input corpus', () => {
  const cases: [string, () => Promise<Uint8Array>, InputErrorCode, RegExp][] = [
    ['zero bytes', () => Promise.resolve(new Uint8Array(0)), 'EMPTY', /empty/],
    [
      'truncated PNG',
      async () => {
        const png = await emojiPhoto('1f600.png');
        return png.subarray(0, Math.floor(png.length * 0.6));
      },
      'TRUNCATED',
      /PNG image is truncated: no IEND/,
    ],
    [
      'JPEG whose header lies about its data',
      async () => {
        // Real header and end marker around scan data that is not JPEG entropy-coded data.
        const jpeg = await sharp(await emojiPhoto('1f600.png'))
          .jpeg()
          .toBuffer();
        const sos = jpeg.indexOf(Buffer.from([0xff, 0xda]));
        const scanStart = sos + 2 + jpeg.readUInt16BE(sos + 2);
        const garbage = Buffer.alloc(jpeg.length - scanStart - 2, 0xff);
        return Buffer.concat([jpeg.subarray(0, scanStart), garbage, Buffer.from([0xff, 0xd9])]);
      },
      'CORRUPT',
      /JPEG pixel data cannot be decoded \(256x256 declared\)/,
    ],
    [
      'PNG header claiming 50000x50000',
      () => Promise.resolve(pngClaiming(50_000, 50_000)),
      'TOO_MANY_PIXELS',
      /50000x50000 = 2500000000 pixels; the limit is 40000000/,
    ],
    [
      'SVG',
      () =>
        Promise.resolve(
          Buffer.from(
            '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
          ),
        ),
      'UNSUPPORTED_TYPE',
      /SVG images are not accepted/,
    ],
    [
      'text file renamed .png',
      () => Promise.resolve(Buffer.from('hello, this is just a note saved as photo.png\n')),
      'UNSUPPORTED_TYPE',
      /Not a PNG, JPEG, WebP or GIF image \(first bytes: 68 65 6c 6c/,
    ],
  ];

  for (const [name, make, code, message] of cases) {
    it(`refuses ${name} with ${code}`, async () => {
      const err = await refusal(async () => admit(await make()));
      expect(err.code).toBe(code);
      expect(err.message).toMatch(message);
    });
  }

  it('refuses oversized files before reading them', async () => {
    const png = await emojiPhoto('1f600.png');
    const err = await refusal(() =>
      validateImage(png, { ...DEFAULT_INPUT_LIMITS, maxImageBytes: 1000 }),
    );
    expect(err.code).toBe('TOO_LARGE');
    expect(err.message).toMatch(/the limit is 1000/);
  });
});

describe('accepted formats', () => {
  it('reads the type and size of PNG, JPEG, WebP (lossy, lossless) and GIF from the header', async () => {
    const src = sharp(await emojiPhoto('1f600.png')).resize(200, 120, { fit: 'fill' });
    const encoded = {
      png: await src.clone().png().toBuffer(),
      jpeg: await src.clone().jpeg().toBuffer(),
      webp: await src.clone().webp().toBuffer(),
      webpLossless: await src.clone().webp({ lossless: true }).toBuffer(),
      gif: await src.clone().gif().toBuffer(),
    };
    for (const [name, bytes] of Object.entries(encoded)) {
      const header = sniffImage(bytes);
      expect({ name, width: header.width, height: header.height }).toEqual({
        name,
        width: 200,
        height: 120,
      });
      expect(name.startsWith(header.type)).toBe(true);
      await admit(bytes);
    }
  });
});

describe('validateItem', () => {
  it('checks the item shape and the caption length', async () => {
    expect((await refusal(() => validateItem({ externalId: '' }))).code).toBe('INVALID_ITEM');
    expect((await refusal(() => validateItem({ externalId: 'a' }))).message).toMatch(
      /neither a caption nor an image/,
    );
    const long = await refusal(() => validateItem({ externalId: 'a', caption: 'x'.repeat(2201) }));
    expect(long.code).toBe('CAPTION_TOO_LONG');
    expect(long.message).toMatch(/2201 characters; the limit is 2200/);
    // Code points, not UTF-16 units: 2200 emoji are allowed.
    expect(validateItem({ externalId: 'a', caption: '😀'.repeat(2200) }).caption).toHaveLength(
      4400,
    );
  });
});
