/** What a loader did: where it read from, what it kept and what it skipped, and why. */

/** Why a file was skipped. Stable codes, safe to switch on. */
export type SkipReason =
  /** The file has zero bytes. */
  | 'empty-file'
  /** The content is not a PNG, JPEG or WebP image, whatever its extension says. */
  | 'not-an-image'
  /** The image is wider x taller than the loader's pixel limit. */
  | 'too-many-pixels'
  /** The file is bigger than the loader's byte limit (checked before reading it). */
  | 'file-too-large'
  /** The header looked like an image but decoding failed (truncated or damaged data). */
  | 'corrupt'
  /** The file could not be read (permissions, vanished, a directory link...). */
  | 'unreadable'
  /** Labels come from sub-folders, but the file is not in one (or not in a selected one). */
  | 'unlabelled';

/** One skipped file with its reason and the underlying message. */
export interface SkippedFile {
  /** Path relative to the loader's source folder. */
  path: string;
  reason: SkipReason;
  /** Detail, e.g. the decoder's error text. */
  message: string;
}

/** Summary of one load. */
export interface LoadReport {
  /** Folder or file the samples came from. */
  source: string;
  /** Samples in the returned dataset. */
  loaded: number;
  /** Files not loaded, with reasons (empty for the bundled sets). */
  skipped: SkippedFile[];
  /** Wall-clock load time. */
  elapsedMs: number;
}

/** A loaded dataset with its load report. */
export interface LoadResult<D> {
  dataset: D;
  report: LoadReport;
}

/** Count skipped files by reason, e.g. for a one-line log message. */
export function countSkipReasons(
  skipped: readonly SkippedFile[],
): Partial<Record<SkipReason, number>> {
  const counts: Partial<Record<SkipReason, number>> = {};
  for (const file of skipped) counts[file.reason] = (counts[file.reason] ?? 0) + 1;
  return counts;
}
