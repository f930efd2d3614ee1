/**
 * The slice of a dataset the metrics read. `@ganmod/datasets`' `Dataset`/`ImageDataset` satisfies
 * it structurally; so does any `{ name, shape, classNames, size, data, labels }` object.
 */
export interface MetricDataset {
  /** Human-readable name, e.g. `mnist`; part of the default feature-extractor cache key. */
  readonly name: string;
  /** One image, `[height, width, channels]`. */
  readonly shape: readonly number[];
  /** Class names; `labels` index into them. The metric classifier needs at least two. */
  readonly classNames: readonly string[];
  /** Number of samples. */
  readonly size: number;
  /** All images back to back (HWC, values in [-1, 1]), `size * h * w * c` floats. */
  readonly data: Float32Array;
  /** One class index per sample. */
  readonly labels: Int32Array;
}

/** `[h, w, c]` of a dataset of images, or an error naming what is wrong. */
export function imageShapeOf(
  dataset: Pick<MetricDataset, 'name' | 'shape'>,
): [number, number, number] {
  const [h, w, c, ...rest] = dataset.shape;
  if (h === undefined || w === undefined || c === undefined || rest.length > 0) {
    throw new RangeError(
      `${dataset.name}: metrics need images of shape [h, w, c], got [${dataset.shape.join(', ')}]`,
    );
  }
  return [h, w, c];
}

/** Floats per image. */
export function sampleLength(dataset: Pick<MetricDataset, 'name' | 'shape'>): number {
  const [h, w, c] = imageShapeOf(dataset);
  return h * w * c;
}

/**
 * Default cache key of a dataset's metric classifier: its name made path-safe, plus the image
 * shape (the same name at another resolution needs another classifier), e.g. `mnist-28x28x1`.
 */
export function datasetKey(dataset: Pick<MetricDataset, 'name' | 'shape'>): string {
  const slug = dataset.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return `${slug || 'dataset'}-${imageShapeOf(dataset).join('x')}`;
}
