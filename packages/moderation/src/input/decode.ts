/**
 * Decodes validated image bytes once into a small RGB buffer that every image detector reuses.
 */
import sharp from 'sharp';
import { ModerationInputError } from '../errors.js';
import type { ImageHeader } from '../contract/sniff.js';

/** Interleaved 8-bit RGB pixels. */
export interface RgbImage {
  width: number;
  height: number;
  /** `width * height * 3` bytes, row-major. */
  data: Uint8Array;
}

/**
 * Largest side kept after decoding. PDQ downsamples to 64x64 and the NSFW model reads 224x224,
 * so more pixels only cost time.
 */
export const WORKING_MAX_SIDE = 512;

/**
 * Decodes an image (first frame of animations), flattens transparency onto white and shrinks it
 * to fit {@link WORKING_MAX_SIDE}.
 *
 * @param maxPixels enforced again by libvips: the header check can be fooled by multi-frame files.
 * @throws {@link ModerationInputError} `CORRUPT` when the pixel data is unreadable.
 */
export async function decodeImage(
  bytes: Uint8Array,
  header: ImageHeader,
  maxPixels: number,
): Promise<RgbImage> {
  try {
    // libjpeg reports garbage entropy-coded data only as a warning and would hand back noise;
    // other formats keep 'truncated' because harmless warnings (e.g. PNG iCCP) are common there.
    const failOn = header.type === 'jpeg' ? 'warning' : 'truncated';
    const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels, failOn })
      .flatten({ background: '#ffffff' })
      .resize({
        width: WORKING_MAX_SIDE,
        height: WORKING_MAX_SIDE,
        fit: 'inside',
        withoutEnlargement: true,
      })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels, got ${info.channels}`);
    // A view of sharp's buffer, not a copy: a 512-px upload's ~0.8 MB copied per image added as
    // much again to the external memory that makes V8 collect.
    const pixels = new Uint8Array(data.buffer, data.byteOffset, data.length);
    return { width: info.width, height: info.height, data: pixels };
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    // The header and end marker were already checked, so a decoder failure means the data
    // contradicts its header: CORRUPT, even when libvips words it as a premature end.
    throw new ModerationInputError(
      'CORRUPT',
      `${header.type.toUpperCase()} pixel data cannot be decoded (${header.width}x${header.height} declared): ${why}`,
      { ...header },
    );
  }
}
