import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EMOJI_CATEGORIES, loadEmoji, type ImageDataset } from '../src/index.js';

const packageDir = dirname(
  createRequire(import.meta.url).resolve('emoji-datasource-google/package.json'),
);
interface Record {
  image: string;
  category: string;
  sort_order: number;
  skin_variations?: { [key: string]: { image: string } };
}
const records = JSON.parse(readFileSync(join(packageDir, 'emoji.json'), 'utf8')) as Record[];
const allImages = records.flatMap((r) =>
  [r, ...Object.values(r.skin_variations ?? {})].map((v) => ({
    image: v.image,
    category: r.category,
  })),
);

describe('loadEmoji', () => {
  let train: ImageDataset;
  let test: ImageDataset;
  beforeAll(async () => {
    [train, test] = await Promise.all([
      loadEmoji({ split: 'train', size: 32 }).then((r) => r.dataset),
      loadEmoji({ split: 'test', size: 32 }).then((r) => r.dataset),
    ]);
  });

  it('splits all 3,786 images about 90/10 into 32x32 RGB, labelled by category', () => {
    expect(allImages.length).toBe(3_786);
    expect(train.size + test.size).toBe(allImages.length);
    expect(test.size / allImages.length).toBeGreaterThan(0.07);
    expect(test.size / allImages.length).toBeLessThan(0.13);
    expect(train.shape).toEqual([32, 32, 3]);
    expect(train.classNames).toEqual(EMOJI_CATEGORIES);
    const counts = new Map<string, number>();
    for (const ds of [train, test])
      ds.labels.forEach((l) =>
        counts.set(ds.classNames[l]!, (counts.get(ds.classNames[l]!) ?? 0) + 1),
      );
    const expected = new Map<string, number>();
    for (const { category } of allImages) expected.set(category, (expected.get(category) ?? 0) + 1);
    expect(counts).toEqual(expected);
    expect(train.data.every((v) => v >= -1 && v <= 1)).toBe(true);
  });

  it('filters by category and renumbers labels', async () => {
    const { dataset } = await loadEmoji({ classes: ['Flags', 'Food & Drink'], testFraction: 0 });
    expect(dataset.classNames).toEqual(['Food & Drink', 'Flags']);
    const expectedFlags = allImages.filter((i) => i.category === 'Flags').length;
    const expectedFood = allImages.filter((i) => i.category === 'Food & Drink').length;
    expect(dataset.size).toBe(expectedFlags + expectedFood);
    expect(dataset.labels.filter((l) => l === 1).length).toBe(expectedFlags);
  });

  it('composites RGBA over the background colour: alpha * colour + (1 - alpha) * background', async () => {
    const background = [30, 200, 90] as const;
    const { dataset } = await loadEmoji({ limit: 5, testFraction: 0, background: [...background] });
    // The first emoji in sort order; decode its PNG independently and check every pixel.
    const first = [...records].sort((a, b) => a.sort_order - b.sort_order)[0]!;
    const png = PNG.sync.read(readFileSync(join(packageDir, 'img', 'google', '64', first.image)));
    const image = dataset.toUint8Image(0);
    let transparent = 0;
    let partial = 0;
    for (let p = 0; p < 64 * 64; p++) {
      const alpha = png.data[p * 4 + 3]! / 255;
      if (alpha === 0) transparent++;
      else if (alpha < 1) partial++;
      for (let c = 0; c < 3; c++) {
        const expected = png.data[p * 4 + c]! * alpha + background[c]! * (1 - alpha);
        expect(Math.abs(image.data[p * 3 + c]! - expected)).toBeLessThanOrEqual(1);
      }
    }
    // The check is only meaningful if the emoji has both kinds of pixels.
    expect(transparent).toBeGreaterThan(100);
    expect(partial).toBeGreaterThan(10);
  });

  it('excludes skin-tone variants on request and converts to gray', async () => {
    const { dataset } = await loadEmoji({
      skinTones: false,
      testFraction: 0,
      channels: 1,
      size: 16,
    });
    expect(dataset.size).toBe(records.length);
    expect(dataset.shape).toEqual([16, 16, 1]);
  });

  it('names a bad background colour', async () => {
    await expect(loadEmoji({ background: 'white' })).rejects.toThrow(
      /background: expected '#rgb' or '#rrggbb', got 'white'/,
    );
  });
});
