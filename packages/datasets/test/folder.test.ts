import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EmptyDatasetError,
  encodePng,
  loadImageFolder,
  loadMnist,
  type SkipReason,
} from '../src/index.js';

/** Real image content: MNIST digits (gray) and a colour gradient, encoded as PNG and JPEG. */
async function buildFolder(root: string): Promise<{ digits: Uint8Array[] }> {
  const { dataset } = await loadMnist({ split: 'test', limit: 3 });
  const digits = [0, 1, 2].map((i) => dataset.toUint8Image(i).data);
  mkdirSync(join(root, 'digits', 'nested'), { recursive: true });
  mkdirSync(join(root, 'colour'));
  mkdirSync(join(root, 'bad'));
  writeFileSync(join(root, 'digits', 'a.png'), encodePng(digits[0]!, 28, 28, 1));
  writeFileSync(join(root, 'digits', 'nested', 'b.png'), encodePng(digits[1]!, 28, 28, 1));
  const gradient = new Uint8Array(40 * 30 * 4);
  for (let y = 0; y < 30; y++) {
    for (let x = 0; x < 40; x++) gradient.set([x * 6, y * 8, 128, 255], (y * 40 + x) * 4);
  }
  const jpeg = await sharp(gradient, { raw: { width: 40, height: 30, channels: 4 } })
    .jpeg({ quality: 95 })
    .toBuffer();
  writeFileSync(join(root, 'colour', 'gradient.JPG'), jpeg);
  writeFileSync(join(root, 'colour', 'gradient-copy.jpeg'), jpeg);
  // Half-transparent red: composited over the background.
  const rgba = new Uint8Array(8 * 8 * 4);
  for (let p = 0; p < 64; p++) rgba.set([255, 0, 0, 128], p * 4);
  writeFileSync(join(root, 'colour', 'alpha.png'), encodePng(rgba, 8, 8, 4));

  const goodPng = encodePng(digits[2]!, 28, 28, 1);
  writeFileSync(join(root, 'bad', 'empty.png'), Buffer.alloc(0));
  writeFileSync(
    join(root, 'bad', 'truncated.png'),
    goodPng.subarray(0, Math.floor(goodPng.length / 2)),
  );
  writeFileSync(join(root, 'bad', 'text.png'), 'this is not an image\n');
  writeFileSync(join(root, 'bad', 'notes.txt'), 'a text file\n');
  const huge = await sharp({
    create: { width: 400, height: 300, channels: 3, background: '#336699' },
  })
    .png()
    .toBuffer();
  writeFileSync(join(root, 'bad', 'huge.png'), huge);
  writeFileSync(join(root, 'loose.png'), goodPng);
  return { digits };
}

describe('loadImageFolder', () => {
  let root: string;
  let digits: Uint8Array[];
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ganmod-folder-'));
    ({ digits } = await buildFolder(root));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('loads the good images and reports each bad file with its own reason', async () => {
    const { dataset, report } = await loadImageFolder({
      path: root,
      size: 28,
      channels: 1,
      maxPixels: 100_000,
    });
    expect(dataset.size).toBe(6);
    expect(dataset.shape).toEqual([28, 28, 1]);
    expect(dataset.classNames).toEqual([]);
    expect(report.loaded).toBe(6);
    const reasons = Object.fromEntries(report.skipped.map((s) => [s.path, s.reason]));
    expect(reasons).toEqual({
      'bad/empty.png': 'empty-file',
      'bad/huge.png': 'too-many-pixels',
      'bad/notes.txt': 'not-an-image',
      'bad/text.png': 'not-an-image',
      'bad/truncated.png': 'corrupt',
    } satisfies Record<string, SkipReason>);
    expect(report.skipped.find((s) => s.reason === 'too-many-pixels')?.message).toMatch(
      /400x300 = 120000 pixels/,
    );
    // Sorted path order: bad/* are skipped, colour/alpha.png comes first, then the two JPEGs,
    // then digits/a.png, digits/nested/b.png and loose.png: a 1-channel PNG at its own size is lossless.
    expect(Buffer.from(dataset.toUint8Image(3).data).equals(Buffer.from(digits[0]!))).toBe(true);
    expect(Buffer.from(dataset.toUint8Image(4).data).equals(Buffer.from(digits[1]!))).toBe(true);
    expect(Buffer.from(dataset.toUint8Image(5).data).equals(Buffer.from(digits[2]!))).toBe(true);
  });

  it('labels by top-level sub-folder, reports loose files as unlabelled, filters classes', async () => {
    const { dataset, report } = await loadImageFolder({
      path: root,
      size: 16,
      labelsFromSubfolders: true,
      maxPixels: 100_000,
    });
    expect(dataset.classNames).toEqual(['bad', 'colour', 'digits']);
    expect([...dataset.labels]).toEqual([1, 1, 1, 2, 2]);
    expect(report.skipped.find((s) => s.path === 'loose.png')?.reason).toBe('unlabelled');

    const digitsOnly = await loadImageFolder({ path: root, size: 16, classes: ['digits'] });
    expect(digitsOnly.dataset.classNames).toEqual(['digits']);
    expect(digitsOnly.dataset.size).toBe(2);
    await expect(loadImageFolder({ path: root, classes: ['cats'] })).rejects.toThrow(
      /unknown class 'cats'; valid: 'bad', 'colour', 'digits'/,
    );
  });

  it('composites transparency on the background and keeps colour in RGB', async () => {
    const { dataset } = await loadImageFolder({
      path: join(root, 'colour'),
      size: 8,
      background: '#0000ff',
    });
    expect(dataset.shape).toEqual([8, 8, 3]);
    const alpha = dataset.toUint8Image(0).data; // alpha.png sorts first
    // 50% red over blue: about (128, 0, 127).
    expect(Math.abs(alpha[0]! - 128)).toBeLessThanOrEqual(2);
    expect(alpha[1]).toBeLessThanOrEqual(2);
    expect(Math.abs(alpha[2]! - 127)).toBeLessThanOrEqual(2);
    // The gradient JPEG (cover-cropped 40x30 -> 8x8) gets redder to the right.
    const jpeg = dataset.toUint8Image(1).data;
    expect(jpeg[(4 * 8 + 7) * 3]!).toBeGreaterThan(jpeg[(4 * 8 + 0) * 3]! + 100);
  });

  it('applies limit in sorted order and holds out a stable test split', async () => {
    const { dataset } = await loadImageFolder({ path: root, size: 8, limit: 2 });
    expect(dataset.size).toBe(2);
    const options = { path: root, size: 8, testFraction: 0.5, maxPixels: 100_000 };
    const train = await loadImageFolder(options);
    const test = await loadImageFolder({ ...options, split: 'test' });
    expect(train.dataset.size + test.dataset.size).toBe(6);
    // The held-out files are stable: loading again picks the same ones.
    expect((await loadImageFolder({ ...options, split: 'test' })).dataset.data).toEqual(
      test.dataset.data,
    );
    await expect(loadImageFolder({ path: root, split: 'test' })).rejects.toThrow(
      /needs testFraction > 0/,
    );
  });

  it('fails clearly on a folder with no usable image, with the report attached', async () => {
    const error = await loadImageFolder({ path: join(root, 'bad'), maxPixels: 100_000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EmptyDatasetError);
    expect((error as Error).message).toMatch(/no usable image .* \(skipped: .*1 corrupt.*\)/);
    expect((error as EmptyDatasetError).report.skipped).toHaveLength(5);
    const empty = mkdtempSync(join(tmpdir(), 'ganmod-empty-'));
    await expect(loadImageFolder({ path: empty })).rejects.toThrow(/the folder has no files/);
    rmSync(empty, { recursive: true });
    const tooBig = await loadImageFolder({ path: join(root, 'digits'), maxFileBytes: 20 }).catch(
      (e: unknown) => e,
    );
    expect((tooBig as EmptyDatasetError).report.skipped.map((s) => s.reason)).toEqual([
      'file-too-large',
      'file-too-large',
    ]);
    await expect(loadImageFolder({ path: join(root, 'nope') })).rejects.toThrow(
      /path: .*nope does not exist/,
    );
  });
});
