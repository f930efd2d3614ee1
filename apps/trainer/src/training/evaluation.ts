/**
 * Periodic quality metrics during training (every `evalEvery` steps): FID, KID, IS,
 * precision/recall, the share of confidently classified samples and, for conditional models, conditional accuracy, measured with the dataset's
 * cached metric classifier against the held-out split. Toy point sets (ring8, grid25) are scored
 * by mode coverage instead: modes hit and the share of high-quality samples.
 */
import { GRID25, loadDataset, modeCoverage, RING8, type Dataset } from '@ganmod/datasets';
import {
  computeReference,
  evaluateGenerator,
  evaluationSampler,
  generatorSignature,
  loadOrTrainFeatureExtractor,
  type EvalContext,
  type FeatureExtractor,
  type ReferenceFeatures,
  type TrainConfig,
} from '@ganmod/gan-core';
import type { Logger } from 'pino';

/** Generated images per evaluation: enough for stable FID ranking at a cost of seconds. */
const EVAL_SAMPLES = 1000;

/** Points drawn per toy evaluation (PacGAN's count for the ring and the grid). */
const TOY_EVAL_POINTS = 2500;

/** Mode coverage of a point generator on its mixture (ring8 or grid25). */
function toyEvaluator(
  kind: 'ring8' | 'grid25',
  log: Logger,
): (context: EvalContext) => Promise<Record<string, number>> {
  const mixture = kind === 'ring8' ? RING8 : GRID25;
  return (context) => {
    const points = context.samplePoints(TOY_EVAL_POINTS, 7919 + context.step);
    try {
      const coverage = modeCoverage(points, mixture);
      const values = {
        'eval/modes_covered': coverage.modesCovered,
        'eval/high_quality_fraction': coverage.highQualityFraction,
      };
      log.info({ step: context.step, ...values, modes: mixture.centres.length }, 'evaluated');
      return Promise.resolve(values);
    } finally {
      points.dispose();
    }
  };
}

/** Returns the `onEval` body for a run; the classifier and the real features are prepared once. */
export function createEvaluator(
  config: TrainConfig,
  trainSet: Dataset,
  log: Logger,
): (context: EvalContext) => Promise<Record<string, number>> {
  const kind = config.dataset.kind;
  if (kind === 'ring8' || kind === 'grid25') return toyEvaluator(kind, log);
  let prepared: Promise<{
    extractor: FeatureExtractor;
    reference: ReferenceFeatures;
    test: Dataset;
  }> | null = null;
  const prepare = async () => {
    const { dataset: test } = await loadDataset({ ...config.dataset, split: 'test' });
    const extractor = await loadOrTrainFeatureExtractor({
      train: trainSet,
      test,
      log: (message: string) => log.info(message),
    });
    const reference = await computeReference(extractor, test, EVAL_SAMPLES, 1);
    return { extractor, reference, test };
  };
  let unavailable = false;
  return async (context) => {
    if (unavailable) return {};
    prepared ??= prepare();
    let ready;
    try {
      ready = await prepared;
    } catch (err) {
      // e.g. an unlabelled image folder: no classifier to measure with. Training goes on.
      unavailable = true;
      log.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'quality metrics unavailable for this dataset',
      );
      return {};
    }
    const { extractor, reference, test } = ready;
    const result = await evaluateGenerator({
      extractor,
      reference,
      dataset: test,
      n: EVAL_SAMPLES,
      conditional: generatorSignature(context.generator).numClasses > 0,
      generate: evaluationSampler(context.generator),
    });
    const values: Record<string, number> = {
      'eval/fid': result.fid,
      'eval/kid': result.kid.mean,
      'eval/is': result.is.mean,
      'eval/precision': result.precision,
      'eval/recall': result.recall,
      'eval/confident': result.confident,
    };
    if (result.conditionalAccuracy !== undefined)
      values['eval/conditional_accuracy'] = result.conditionalAccuracy;
    log.info({ step: context.step, ...values, seconds: result.seconds }, 'evaluated');
    return values;
  };
}
