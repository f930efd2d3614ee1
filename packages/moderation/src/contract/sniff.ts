/**
 * Identifies an image from its magic numbers and reads its dimensions from the header alone, so
 * oversized ("decompression bomb") images are refused before a decoder allocates anything.
 * The file name and any declared MIME type are ignored on purpose: both are attacker-controlled.
 */
import { ModerationInputError } from '../errors.js';

/** Raster formats the pipeline accepts. */
export type ImageType = 'png' | 'jpeg' | 'webp' | 'gif';

/** What the header says about an image. */
export interface ImageHeader {
  type: ImageType;
  width: number;
  height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PNG_IEND = [0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  return prefix.every((b, i) => bytes[at + i] === b);
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}

function u16be(b: Uint8Array, i: number): number {
  return ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
}
function u16le(b: Uint8Array, i: number): number {
  return (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8);
}
function u24le(b: Uint8Array, i: number): number {
  return (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8) | ((b[i + 2] ?? 0) << 16);
}
function u32be(b: Uint8Array, i: number): number {
  return (
    ((b[i] ?? 0) * 0x1000000 +
      (((b[i + 1] ?? 0) << 16) | ((b[i + 2] ?? 0) << 8) | (b[i + 3] ?? 0))) >>>
    0
  );
}
function u32le(b: Uint8Array, i: number): number {
  return (
    ((b[i] ?? 0) | ((b[i + 1] ?? 0) << 8) | ((b[i + 2] ?? 0) << 16)) + (b[i + 3] ?? 0) * 0x1000000
  );
}

function truncated(type: ImageType, what: string, length: number): ModerationInputError {
  return new ModerationInputError(
    'TRUNCATED',
    `${type.toUpperCase()} image is truncated: ${what} (got ${length} bytes)`,
    { type, bytes: length },
  );
}

function corrupt(type: ImageType, what: string): ModerationInputError {
  return new ModerationInputError('CORRUPT', `${type.toUpperCase()} header is invalid: ${what}`, {
    type,
  });
}

/** Formats recognised only to refuse them with a precise message. */
function describeRefusedType(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder('utf-8', { fatal: false })
    .decode(bytes.subarray(0, 512))
    .trimStart()
    .toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'SVG';
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) return 'HTML';
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46])) return 'PDF';
  if (startsWith(bytes, [0x42, 0x4d])) return 'BMP';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a]))
    return 'TIFF';
  if (ascii(bytes, 4, 8) === 'ftyp') return 'ISO-BMFF (HEIC/AVIF/MP4)';
  return undefined;
}

function sniffPng(b: Uint8Array): ImageHeader {
  // Signature (8) + IHDR length (4) + "IHDR" (4) + width (4) + height (4).
  if (b.length < 24) throw truncated('png', 'ends inside the IHDR header', b.length);
  if (ascii(b, 12, 16) !== 'IHDR') throw corrupt('png', 'first chunk is not IHDR');
  const width = u32be(b, 16);
  const height = u32be(b, 20);
  if (width === 0 || height === 0) throw corrupt('png', `zero dimension ${width}x${height}`);
  if (!startsWith(b, PNG_IEND, b.length - PNG_IEND.length))
    throw truncated('png', 'no IEND chunk at the end', b.length);
  return { type: 'png', width, height };
}

/** SOFn markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but don't. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function sniffJpeg(b: Uint8Array): ImageHeader {
  let i = 2;
  while (i < b.length) {
    if (b[i] !== 0xff) throw corrupt('jpeg', `expected a marker at byte ${i}`);
    while (b[i] === 0xff) i++; // fill bytes
    const marker = b[i];
    i++;
    if (marker === undefined) break;
    if (marker === 0xd9 || marker === 0xda) {
      throw corrupt('jpeg', 'image data starts before any frame header (SOF)');
    }
    // Stand-alone markers have no length field.
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue;
    if (i + 2 > b.length) break;
    const length = u16be(b, i);
    if (length < 2) throw corrupt('jpeg', `segment length ${length} at byte ${i}`);
    if (isStartOfFrame(marker)) {
      if (i + 7 > b.length) break;
      const height = u16be(b, i + 3);
      const width = u16be(b, i + 5);
      if (width === 0 || height === 0) throw corrupt('jpeg', `zero dimension ${width}x${height}`);
      if (!hasJpegEnd(b)) throw truncated('jpeg', 'no end-of-image marker', b.length);
      return { type: 'jpeg', width, height };
    }
    i += length;
  }
  throw truncated('jpeg', 'ends before the frame header (SOF)', b.length);
}

/** Encoders sometimes pad after EOI, so look for it near the end rather than at the last byte. */
function hasJpegEnd(b: Uint8Array): boolean {
  for (let i = b.length - 2; i >= Math.max(2, b.length - 1024); i--) {
    if (b[i] === 0xff && b[i + 1] === 0xd9) return true;
  }
  return false;
}

function sniffGif(b: Uint8Array): ImageHeader {
  if (b.length < 13) throw truncated('gif', 'ends inside the screen descriptor', b.length);
  const width = u16le(b, 6);
  const height = u16le(b, 8);
  if (width === 0 || height === 0) throw corrupt('gif', `zero dimension ${width}x${height}`);
  if (b[b.length - 1] !== 0x3b) throw truncated('gif', 'no trailer byte', b.length);
  return { type: 'gif', width, height };
}

function sniffWebp(b: Uint8Array): ImageHeader {
  if (b.length < 30) throw truncated('webp', 'ends inside the first chunk header', b.length);
  const riffSize = u32le(b, 4);
  if (riffSize + 8 > b.length)
    throw truncated('webp', `RIFF header declares ${riffSize + 8} bytes`, b.length);
  const chunk = ascii(b, 12, 16);
  let width: number;
  let height: number;
  if (chunk === 'VP8X') {
    width = u24le(b, 24) + 1;
    height = u24le(b, 27) + 1;
  } else if (chunk === 'VP8L') {
    if (b[20] !== 0x2f) throw corrupt('webp', 'bad VP8L signature');
    const bits = u32le(b, 21);
    width = (bits & 0x3fff) + 1;
    height = ((bits >>> 14) & 0x3fff) + 1;
  } else if (chunk === 'VP8 ') {
    if (!startsWith(b, [0x9d, 0x01, 0x2a], 23)) throw corrupt('webp', 'bad VP8 start code');
    width = u16le(b, 26) & 0x3fff;
    height = u16le(b, 28) & 0x3fff;
  } else {
    throw corrupt('webp', `unknown first chunk "${chunk}"`);
  }
  if (width === 0 || height === 0) throw corrupt('webp', `zero dimension ${width}x${height}`);
  return { type: 'webp', width, height };
}

/**
 * The image type of `bytes` from its magic number alone, or null when it is none of the accepted
 * formats. Cheap enough for a request handler; {@link sniffImage} also checks the header.
 */
export function imageTypeOf(bytes: Uint8Array): ImageType | null {
  if (startsWith(bytes, PNG_SIGNATURE)) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return 'gif';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp';
  return null;
}

/** MIME type of each accepted format. */
export const IMAGE_MIME: Readonly<Record<ImageType, string>> = Object.freeze({
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
});

/** File extension a stored image of each format gets. */
export const IMAGE_EXTENSION: Readonly<Record<ImageType, string>> = Object.freeze({
  png: 'png',
  jpeg: 'jpg',
  webp: 'webp',
  gif: 'gif',
});

/** MIME type for a stored file's extension (as written with {@link IMAGE_EXTENSION}), if any. */
export function mimeForExtension(ext: string): string | undefined {
  const type = (Object.keys(IMAGE_EXTENSION) as ImageType[]).find(
    (t) => IMAGE_EXTENSION[t] === ext,
  );
  return type === undefined ? undefined : IMAGE_MIME[type];
}

/**
 * Reads the type and dimensions of an image from its bytes, without decoding pixels.
 *
 * @throws {@link ModerationInputError} `EMPTY`, `UNSUPPORTED_TYPE` (SVG, text, BMP, ...),
 *   `TRUNCATED` (header or end marker missing) or `CORRUPT` (impossible header values).
 */
export function sniffImage(bytes: Uint8Array): ImageHeader {
  if (bytes.length === 0) throw new ModerationInputError('EMPTY', 'Image is empty (0 bytes)');
  switch (imageTypeOf(bytes)) {
    case 'png':
      return sniffPng(bytes);
    case 'jpeg':
      return sniffJpeg(bytes);
    case 'gif':
      return sniffGif(bytes);
    case 'webp':
      return sniffWebp(bytes);
    case null:
      break;
  }
  const refused = describeRefusedType(bytes);
  const firstBytes = Array.from(bytes.subarray(0, 8), (x) => x.toString(16).padStart(2, '0')).join(
    ' ',
  );
  throw new ModerationInputError(
    'UNSUPPORTED_TYPE',
    refused
      ? `${refused} images are not accepted; send PNG, JPEG, WebP or GIF`
      : `Not a PNG, JPEG, WebP or GIF image (first bytes: ${firstBytes})`,
    { detected: refused ?? 'unknown', firstBytes },
  );
}
