import { join } from 'node:path';
import { loadEnvironment } from '@ganmod/config';
import { datasetKey, imageShapeOf, type MetricDataset } from '../dataset.js';
import { FeatureExtractor } from './feature-extractor.js';
import { trainFeatureExtractor, type TrainExtractorOptions } from './train.js';

/** `<GANMOD_DATA_DIR or ./data>/metric-models`, resolved against the working directory. */
export function defaultMetricModelsDir(
  env: Record<string, string | undefined> = process.env,
): string {
  return join(loadEnvironment(env).dataDir, 'metric-models');
}

/** Options of {@link loadOrTrainFeatureExtractor}. */
export interface LoadOrTrainOptions extends TrainExtractorOptions {
  /** Training split (labelled). */
  readonly train: MetricDataset;
  /** Held-out split the accuracy is reported on. */
  readonly test: MetricDataset;
  /** Directory of this extractor (default `<defaultMetricModelsDir()>/<key>`). */
  readonly dir?: string;
  /** Train again even when a matching cached classifier exists. */
  readonly retrain?: boolean;
}

/**
 * The metric classifier of a dataset: reloaded from its cache directory when one was trained for
 * the same key, image shape and class names (and architecture, if one is asked for); trained and
 * saved there otherwise. Check `extractor.origin` and `extractor.info.testAccuracy`.
 */
export async function loadOrTrainFeatureExtractor(
  options: LoadOrTrainOptions,
): Promise<FeatureExtractor> {
  const { train } = options;
  const key = options.key ?? datasetKey(train);
  const dir = options.dir ?? join(defaultMetricModelsDir(), key);
  const log = options.log ?? (() => undefined);
  if (options.retrain !== true) {
    let cached: FeatureExtractor | undefined;
    try {
      cached = await FeatureExtractor.load(dir);
    } catch (error) {
      log(`metric classifier cache in ${dir} is unreadable, retraining (${String(error)})`);
    }
    if (cached !== undefined) {
      if (matches(cached, key, train, options)) {
        log(
          `metric classifier ${key}: loaded from ${dir} (test accuracy ${(cached.info.testAccuracy * 100).toFixed(2)}%)`,
        );
        return cached;
      }
      log(`metric classifier cache in ${dir} was made for another dataset or layout, retraining`);
      cached.dispose();
    }
  }
  const extractor = await trainFeatureExtractor(train, options.test, { ...options, key });
  await extractor.save(dir);
  log(`metric classifier ${key}: saved to ${dir}`);
  return extractor;
}

/**
 * The metric classifier cached for `dataset` (same key, image shape and class names), or undefined
 * when none was trained yet: never trains (e.g. at export time, where a minute of classifier
 * training is not wanted; runs that evaluate have trained it by then). A point dataset has none.
 */
export async function cachedMetricClassifier(
  dataset: Pick<MetricDataset, 'name' | 'shape' | 'classNames'>,
  dir?: string,
): Promise<FeatureExtractor | undefined> {
  if (dataset.shape.length !== 3 || dataset.classNames.length < 2) return undefined;
  const key = datasetKey(dataset);
  let cached: FeatureExtractor | undefined;
  try {
    cached = await FeatureExtractor.load(dir ?? join(defaultMetricModelsDir(), key));
  } catch {
    return undefined;
  }
  if (cached === undefined || matches(cached, key, dataset, {})) return cached;
  cached.dispose();
  return undefined;
}

function matches(
  extractor: FeatureExtractor,
  key: string,
  train: Pick<MetricDataset, 'name' | 'shape' | 'classNames'>,
  options: TrainExtractorOptions,
): boolean {
  const { info } = extractor;
  const shape = imageShapeOf(train);
  return (
    info.key === key &&
    info.shape.every((d, i) => d === shape[i]) &&
    info.classNames.length === train.classNames.length &&
    info.classNames.every((name, i) => name === train.classNames[i]) &&
    (options.architecture === undefined || options.architecture === info.architecture) &&
    (options.featureDim === undefined || options.featureDim === info.featureDim)
  );
}
