/**
 * Emoji avatars from the `emoji-datasource-google` npm package (Noto Color Emoji, Apache-2.0):
 * 3,786 RGBA PNGs of 64x64 (skin-tone variants included), labelled by emoji category.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PNG } from 'pngjs';
import {
  checkChannels,
  checkFraction,
  checkInteger,
  checkSplit,
  MAX_IMAGE_SIDE,
} from './checks.js';
import { selectClasses } from './classes.js';
import { mapWithConcurrency } from './concurrency.js';
import { imageDataset, type ImageDataset, type Split } from './dataset.js';
import { DatasetError } from './errors.js';
import { parseColour, resizeFilters, resizeHwc, type ColourInput, type Rgb } from './pixels.js';
import { stableUnitHash } from './prng.js';
import type { LoadResult, SkippedFile } from './report.js';

import { EMOJI_CATEGORIES } from './class-names.js';

export { EMOJI_CATEGORIES };

/** Options for {@link loadEmoji}. */
export interface EmojiOptions {
  /** `train` (default) or `test`: a stable ~`testFraction` holdout chosen by file-name hash. */
  split?: Split;
  /** Share of images held out as the test split, in [0, 1). Default 0.1. */
  testFraction?: number;
  /** Keep only the first `limit` images (emoji sort order). */
  limit?: number;
  /** Output side in pixels; the 64x64 sources are resized (antialiased bilinear). Default 64. */
  size?: number;
  /** 3 (RGB, default) or 1 (gray, Rec. 601 luma). */
  channels?: 1 | 3;
  /** Colour the transparent parts are composited on: `#rgb`, `#rrggbb` or `[r, g, b]`. Default white. */
  background?: ColourInput;
  /** Keep only these categories (see {@link EMOJI_CATEGORIES}); labels are renumbered. */
  classes?: readonly string[];
  /** Include the skin-tone variants (1,875 of the 3,786 images). Default true. */
  skinTones?: boolean;
}

/** The fields of emoji.json this loader reads. */
interface EmojiRecord {
  image: string;
  category: string;
  sort_order: number;
  has_img_google?: boolean;
  skin_variations?: Record<string, { image: string; has_img_google?: boolean }>;
}

const NATIVE_SIDE = 64;

function packageDir(): string {
  return dirname(createRequire(import.meta.url).resolve('emoji-datasource-google/package.json'));
}

/** Composite an RGBA byte image over `background` and write it as [-1, 1] floats (RGB or luma). */
function compositeToUnit(
  rgba: Uint8Array,
  background: Rgb,
  channels: 1 | 3,
  out: Float32Array,
): void {
  const pixels = rgba.length / 4;
  for (let p = 0; p < pixels; p++) {
    const alpha = rgba[p * 4 + 3]! / 255;
    const r = rgba[p * 4]! * alpha + background[0] * (1 - alpha);
    const g = rgba[p * 4 + 1]! * alpha + background[1] * (1 - alpha);
    const b = rgba[p * 4 + 2]! * alpha + background[2] * (1 - alpha);
    if (channels === 3) {
      out[p * 3] = r / 127.5 - 1;
      out[p * 3 + 1] = g / 127.5 - 1;
      out[p * 3 + 2] = b / 127.5 - 1;
    } else {
      out[p] = (0.299 * r + 0.587 * g + 0.114 * b) / 127.5 - 1;
    }
  }
}

/**
 * Load the emoji avatars, composited from RGBA onto a background colour, labelled by category.
 * Decoding uses pngjs: for these tiny PNGs it measured ~4x faster than a sharp pipeline.
 * A PNG that fails to decode is reported in `report.skipped`, never thrown.
 */
export async function loadEmoji(options: EmojiOptions = {}): Promise<LoadResult<ImageDataset>> {
  const started = performance.now();
  const split = checkSplit(options.split ?? 'train');
  const testFraction = checkFraction(options.testFraction ?? 0.1, 'testFraction');
  const size = checkInteger(options.size ?? NATIVE_SIDE, 'size', 1, MAX_IMAGE_SIDE);
  const channels = checkChannels(options.channels ?? 3);
  const limit = options.limit === undefined ? undefined : checkInteger(options.limit, 'limit');
  const background = parseColour(options.background ?? '#ffffff');
  const selection = selectClasses(EMOJI_CATEGORIES, options.classes);

  const root = packageDir();
  const imageDir = join(root, 'img', 'google', '64');
  const records = JSON.parse(await readFile(join(root, 'emoji.json'), 'utf8')) as EmojiRecord[];
  records.sort((a, b) => a.sort_order - b.sort_order);

  const wanted: { file: string; label: number }[] = [];
  for (const record of records) {
    const category = EMOJI_CATEGORIES.indexOf(record.category);
    if (category < 0) {
      throw new DatasetError(
        `emoji.json: unknown category '${record.category}' for ${record.image}`,
      );
    }
    const label = selection.remap[category]!;
    if (label < 0) continue;
    const variants = [
      record,
      ...(options.skinTones === false ? [] : Object.values(record.skin_variations ?? {})),
    ];
    for (const variant of variants) {
      if (variant.has_img_google === false) continue;
      const inTest = testFraction > 0 && stableUnitHash(variant.image) < testFraction;
      if (inTest === (split === 'test')) wanted.push({ file: variant.image, label });
    }
  }
  const chosen = limit === undefined ? wanted : wanted.slice(0, limit);
  if (chosen.length === 0) {
    throw new DatasetError(
      `emoji: no images for split '${split}' with the given classes/testFraction/limit`,
    );
  }

  const buffers = await mapWithConcurrency(chosen, 64, ({ file }) =>
    readFile(join(imageDir, file)),
  );
  const sampleLength = size * size * channels;
  const data = new Float32Array(chosen.length * sampleLength);
  const labels = new Int32Array(chosen.length);
  const skipped: SkippedFile[] = [];
  const filters =
    size === NATIVE_SIDE ? undefined : resizeFilters(NATIVE_SIDE, NATIVE_SIDE, size, size);
  const native = new Float32Array(NATIVE_SIDE * NATIVE_SIDE * channels);
  let count = 0;
  chosen.forEach(({ file, label }, i) => {
    let png: PNG;
    try {
      png = PNG.sync.read(buffers[i]!);
    } catch (cause) {
      skipped.push({ path: file, reason: 'corrupt', message: (cause as Error).message });
      return;
    }
    if (png.width !== NATIVE_SIDE || png.height !== NATIVE_SIDE) {
      skipped.push({
        path: file,
        reason: 'corrupt',
        message: `expected 64x64, got ${png.width}x${png.height}`,
      });
      return;
    }
    const rgba = new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length);
    if (filters === undefined) {
      compositeToUnit(rgba, background, channels, data.subarray(count * sampleLength));
    } else {
      compositeToUnit(rgba, background, channels, native);
      resizeHwc(
        native,
        0,
        NATIVE_SIDE,
        NATIVE_SIDE,
        channels,
        data,
        count * sampleLength,
        size,
        size,
        filters,
      );
    }
    labels[count++] = label;
  });

  const dataset = imageDataset({
    name: 'emoji',
    split,
    shape: [size, size, channels],
    classNames: selection.classNames,
    data: data.subarray(0, count * sampleLength),
    labels: labels.subarray(0, count),
  });
  return {
    dataset,
    report: { source: imageDir, loaded: count, skipped, elapsedMs: performance.now() - started },
  };
}
