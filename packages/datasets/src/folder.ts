/**
 * A folder of the user's own images (searched recursively), decoded and resized with sharp.
 * Bad files are skipped and reported one by one, never thrown: a scraped folder always has some.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import sharp from 'sharp';
import {
  checkChannels,
  checkFraction,
  checkInteger,
  checkSplit,
  MAX_IMAGE_SIDE,
} from './checks.js';
import { selectClasses } from './classes.js';
import { imageDataset, type ImageDataset, type Split } from './dataset.js';
import { DatasetError } from './errors.js';
import { bytesToUnit, parseColour, type ColourInput } from './pixels.js';
import { stableUnitHash } from './prng.js';
import {
  countSkipReasons,
  type LoadReport,
  type LoadResult,
  type SkippedFile,
  type SkipReason,
} from './report.js';

/** How an image is fitted into the square target (sharp's `fit`). */
export type FolderFit = 'cover' | 'contain' | 'fill';

/** Options for {@link loadImageFolder}. */
export interface ImageFolderOptions {
  /** The folder to search recursively. */
  path: string;
  /** `train` (default) or `test`; `test` needs `testFraction` > 0. */
  split?: Split;
  /** Share of files held out as the test split (stable hash of the relative path). Default 0. */
  testFraction?: number;
  /** Keep only the first `limit` usable images, in sorted path order. */
  limit?: number;
  /** Output side in pixels. Default 64. */
  size?: number;
  /** 3 (RGB, default) or 1 (gray). */
  channels?: 1 | 3;
  /** Colour for transparent pixels and `contain` padding. Default white. */
  background?: ColourInput;
  /** `cover` (centre crop, default), `contain` (letterbox) or `fill` (stretch). */
  fit?: FolderFit;
  /** Label each image by its top-level sub-folder (classes sorted by name). Default false. */
  labelsFromSubfolders?: boolean;
  /** Keep only these sub-folders as classes (implies `labelsFromSubfolders`). */
  classes?: readonly string[];
  /** Skip images with more pixels than this (checked from the header). Default 40 megapixels. */
  maxPixels?: number;
  /** Skip files bigger than this many bytes without reading them. Default 64 MiB. */
  maxFileBytes?: number;
  /** Files decoded at once. Default 4. */
  concurrency?: number;
}

/** Thrown when no usable image remains; `report` says what was skipped and why. */
export class EmptyDatasetError extends DatasetError {
  readonly report: LoadReport;

  constructor(message: string, report: LoadReport) {
    super(message, { field: 'path' });
    this.name = 'EmptyDatasetError';
    this.report = report;
  }
}

const DEFAULT_MAX_PIXELS = 40_000_000;
const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;

/** Recognise the formats we decode from their first bytes, whatever the file is called. */
function sniffFormat(bytes: Uint8Array): 'png' | 'jpeg' | 'webp' | undefined {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length >= 8 && bytes[0] === 0x89 && ascii(1, 4) === 'PNG') return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)
    return 'jpeg';
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  return undefined;
}

/** A candidate file: absolute path, path relative to the root (with `/`), its label. */
interface Candidate {
  absolute: string;
  relative: string;
  label: number;
}

/** Every regular file under `root`, relative paths with `/` separators, sorted. */
async function listFiles(root: string, skipped: SkippedFile[]): Promise<string[]> {
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const absolute = join(dir, entry.name);
      const rel = relative(root, absolute).split(sep).join('/');
      if (entry.isDirectory()) await walk(absolute);
      else if (entry.isFile()) files.push(rel);
      else if (entry.isSymbolicLink()) {
        // Follow links to files; not to folders (a link cycle would never end).
        const target = await stat(absolute).catch(() => undefined);
        if (target?.isFile()) files.push(rel);
        else
          skipped.push({
            path: rel,
            reason: 'unreadable',
            message: target ? 'symbolic link to a folder is not followed' : 'broken symbolic link',
          });
      }
    }
  };
  await walk(root);
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

type DecodeOutcome =
  { ok: true; pixels: Uint8Array } | { ok: false; reason: SkipReason; message: string };

interface DecodeSettings {
  size: number;
  channels: 1 | 3;
  background: { r: number; g: number; b: number };
  fit: FolderFit;
  maxPixels: number;
  maxFileBytes: number;
}

async function decodeFile(path: string, settings: DecodeSettings): Promise<DecodeOutcome> {
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (info.size === 0) return { ok: false, reason: 'empty-file', message: 'file has 0 bytes' };
    if (info.size > settings.maxFileBytes) {
      return {
        ok: false,
        reason: 'file-too-large',
        message: `${info.size} bytes exceeds maxFileBytes ${settings.maxFileBytes}`,
      };
    }
    bytes = await readFile(path);
  } catch (cause) {
    return { ok: false, reason: 'unreadable', message: (cause as Error).message };
  }
  if (sniffFormat(bytes) === undefined) {
    return { ok: false, reason: 'not-an-image', message: 'content is not PNG, JPEG or WebP' };
  }
  try {
    // The header alone gives the size, so huge images are rejected before any pixel is decoded.
    const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    const pixels = (meta.width ?? 0) * (meta.height ?? 0);
    if (pixels > settings.maxPixels) {
      return {
        ok: false,
        reason: 'too-many-pixels',
        message: `${meta.width}x${meta.height} = ${pixels} pixels exceeds maxPixels ${settings.maxPixels}`,
      };
    }
    let pipeline = sharp(bytes, { limitInputPixels: settings.maxPixels })
      .rotate() // honour EXIF orientation
      .flatten({ background: settings.background })
      .resize(settings.size, settings.size, { fit: settings.fit, background: settings.background });
    pipeline =
      settings.channels === 1
        ? pipeline.toColourspace('b-w')
        : pipeline.removeAlpha().toColourspace('srgb');
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (
      info.channels !== settings.channels ||
      data.length !== settings.size ** 2 * settings.channels
    ) {
      return {
        ok: false,
        reason: 'corrupt',
        message: `decoder produced ${info.width}x${info.height}x${info.channels}, expected ${settings.size}x${settings.size}x${settings.channels}`,
      };
    }
    return { ok: true, pixels: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (cause) {
    return { ok: false, reason: 'corrupt', message: (cause as Error).message };
  }
}

/**
 * Load a folder of PNG/JPEG/WebP images (recursively) as an {@link ImageDataset} in [-1, 1].
 *
 * Files are recognised by content, not extension. Empty, non-image, corrupt, unreadable or
 * oversized files are skipped and listed in `report.skipped` with a {@link SkipReason}.
 * @throws DatasetError for bad options or a missing folder.
 * @throws EmptyDatasetError (with the report) when no usable image remains.
 */
export async function loadImageFolder(
  options: ImageFolderOptions,
): Promise<LoadResult<ImageDataset>> {
  const started = performance.now();
  if (typeof options.path !== 'string' || options.path.length === 0) {
    throw new DatasetError('path: a folder path is required', { field: 'path' });
  }
  const root = resolve(options.path);
  const split = checkSplit(options.split ?? 'train');
  const testFraction = checkFraction(options.testFraction ?? 0, 'testFraction');
  if (split === 'test' && testFraction === 0) {
    throw new DatasetError(
      "split: 'test' of an image folder needs testFraction > 0 (a folder has no official test split)",
      { field: 'split' },
    );
  }
  const limit = options.limit === undefined ? undefined : checkInteger(options.limit, 'limit');
  const rgb = parseColour(options.background ?? '#ffffff');
  const settings: DecodeSettings = {
    size: checkInteger(options.size ?? 64, 'size', 1, MAX_IMAGE_SIDE),
    channels: checkChannels(options.channels ?? 3),
    background: { r: rgb[0], g: rgb[1], b: rgb[2] },
    fit: options.fit ?? 'cover',
    maxPixels: checkInteger(options.maxPixels ?? DEFAULT_MAX_PIXELS, 'maxPixels'),
    maxFileBytes: checkInteger(options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES, 'maxFileBytes'),
  };
  if (!['cover', 'contain', 'fill'].includes(settings.fit)) {
    throw new DatasetError(`fit must be 'cover', 'contain' or 'fill', got '${settings.fit}'`, {
      field: 'fit',
    });
  }
  const concurrency = checkInteger(options.concurrency ?? 4, 'concurrency', 1, 64);

  const rootInfo = await stat(root).catch(() => undefined);
  if (!rootInfo?.isDirectory()) {
    throw new DatasetError(`path: ${root} ${rootInfo ? 'is not a folder' : 'does not exist'}`, {
      field: 'path',
    });
  }

  const skipped: SkippedFile[] = [];
  const files = await listFiles(root, skipped);
  const labelled = options.labelsFromSubfolders === true || options.classes !== undefined;
  const folders = labelled
    ? [
        ...new Set(files.filter((f) => f.includes('/')).map((f) => f.slice(0, f.indexOf('/')))),
      ].sort()
    : [];
  if (labelled && folders.length === 0) {
    throw new DatasetError(`labelsFromSubfolders: ${root} has no sub-folders to take labels from`, {
      field: 'labelsFromSubfolders',
    });
  }
  const selection = selectClasses(folders, options.classes);
  const folderIndex = new Map(folders.map((name, i) => [name, i]));

  const candidates: Candidate[] = [];
  for (const rel of files) {
    let label = 0;
    if (labelled) {
      const slash = rel.indexOf('/');
      if (slash < 0) {
        skipped.push({ path: rel, reason: 'unlabelled', message: 'not inside a sub-folder' });
        continue;
      }
      label = selection.remap[folderIndex.get(rel.slice(0, slash))!]!;
      if (label < 0) continue; // a sub-folder the caller did not select: not an error
    }
    const inTest = testFraction > 0 && stableUnitHash(rel) < testFraction;
    if (inTest === (split === 'test'))
      candidates.push({ absolute: join(root, rel), relative: rel, label });
  }

  // Workers take files in sorted order; stopping once `limit` are decoded keeps the result the
  // first `limit` usable files whatever the timing, since every earlier file is finished too.
  const outcomes: (DecodeOutcome | undefined)[] = new Array<DecodeOutcome | undefined>(
    candidates.length,
  );
  let next = 0;
  let usable = 0;
  const worker = async (): Promise<void> => {
    while (next < candidates.length && (limit === undefined || usable < limit)) {
      const i = next++;
      const outcome = await decodeFile(candidates[i]!.absolute, settings);
      outcomes[i] = outcome;
      if (outcome.ok) usable++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));

  const sampleLength = settings.size ** 2 * settings.channels;
  const kept: { pixels: Uint8Array; label: number }[] = [];
  outcomes.forEach((outcome, i) => {
    if (outcome === undefined) return;
    const candidate = candidates[i]!;
    if (!outcome.ok)
      skipped.push({ path: candidate.relative, reason: outcome.reason, message: outcome.message });
    else if (limit === undefined || kept.length < limit)
      kept.push({ pixels: outcome.pixels, label: candidate.label });
  });
  skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const report: LoadReport = { source: root, loaded: kept.length, skipped, elapsedMs: 0 };
  if (kept.length === 0) {
    report.elapsedMs = performance.now() - started;
    const reasons = Object.entries(countSkipReasons(skipped))
      .map(([reason, n]) => `${n} ${reason}`)
      .join(', ');
    throw new EmptyDatasetError(
      `path: no usable image in ${root} for split '${split}'` +
        (files.length === 0
          ? ' (the folder has no files)'
          : skipped.length > 0
            ? ` (skipped: ${reasons})`
            : ''),
      report,
    );
  }
  const data = new Float32Array(kept.length * sampleLength);
  const labels = new Int32Array(kept.length);
  kept.forEach(({ pixels, label }, k) => {
    bytesToUnit(pixels, data, k * sampleLength);
    labels[k] = label;
  });
  const dataset = imageDataset({
    name: `folder:${root}`,
    split,
    shape: [settings.size, settings.size, settings.channels],
    classNames: selection.classNames,
    data,
    labels,
  });
  report.elapsedMs = performance.now() - started;
  return { dataset, report };
}
