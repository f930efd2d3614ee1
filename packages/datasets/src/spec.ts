/** `loadDataset`: turns a dataset spec (see spec-schema.ts) into a dataset. */
import type { Dataset } from './dataset.js';
import { loadEmoji } from './emoji.js';
import { loadImageFolder } from './folder.js';
import { loadFashionMnist, loadMnist } from './mnist.js';
import type { LoadResult } from './report.js';
import { parseDatasetSpec, type DatasetSpecInput } from './spec-schema.js';
import { GRID25, RING8, sampleMixture } from './toy.js';

export * from './spec-schema.js';

/**
 * Load the dataset a spec describes. The spec is validated first (see {@link parseDatasetSpec}).
 * @returns the dataset and a report of what was loaded and skipped.
 */
export async function loadDataset(spec: DatasetSpecInput): Promise<LoadResult<Dataset>> {
  const parsed = parseDatasetSpec(spec);
  switch (parsed.kind) {
    case 'mnist':
      return loadMnist(parsed);
    case 'fashion-mnist':
      return loadFashionMnist(parsed);
    case 'emoji':
      return loadEmoji(parsed);
    case 'folder':
      return loadImageFolder(parsed);
    case 'ring8':
      return sampleMixture(RING8, parsed);
    case 'grid25':
      return sampleMixture(GRID25, parsed);
  }
}
