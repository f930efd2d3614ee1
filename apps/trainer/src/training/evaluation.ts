/**
 * Periodic quality metrics during training (every `evalEvery` steps): FID, KID, IS,
 * precision/recall, the share of confidently classified samples and, for conditional models, conditional accuracy, measured with the dataset's
 * cached metric classifier against the held-out split. With `evalJudge`, colour images are also
 * scored in the features of the explicit detector's MobileNetV2 (`eval/judge_*`): a second judge
 * that sees blur and noise, and the only one for image folders without classes. Toy point sets
 * (ring8, grid25) are scored by mode coverage instead: modes hit and the share of high-quality
 * samples.
 */
import { GRID25, loadDataset, modeCoverage, RING8, type Dataset } from '@ganmod/datasets';
import {
  compareEmbeddings,
  computeReference,
  evaluateGenerator,
  evaluationSampler,
  generatorSignature,
  loadOrTrainFeatureExtractor,
  PretrainedJudge,
  type Embedding,
  type EvalContext,
  type FeatureExtractor,
  type ReferenceFeatures,
  type TrainConfig,
} from '@ganmod/gan-core';
import { loadNsfwNetwork } from '@ganmod/moderation';
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

/** The judge and its real side: the test split's features, or the training set's without one. */
interface Judge {
  judge: PretrainedJudge;
  reference: Embedding;
}

async function prepareJudge(
  test: Dataset | undefined,
  trainSet: Dataset,
  samples: number,
): Promise<Judge> {
  const real = test ?? trainSet;
  if (real.shape[2] !== 3) {
    throw new Error(`evalJudge needs colour images; ${real.name} has ${real.shape[2]} channel(s)`);
  }
  const { model } = await loadNsfwNetwork('mobilenet_v2');
  const judge = new PretrainedJudge({
    network: model,
    featureLayer: 'flatten_1',
    imageShape: [real.shape[0]!, real.shape[1]!, real.shape[2]],
  });
  return { judge, reference: await judge.embedDataset(real, samples) };
}

/** Joins per-batch embeddings row-wise. */
function concatEmbeddings(parts: readonly Embedding[]): Embedding {
  const join = (key: 'features' | 'probabilities') => {
    const cols = parts[0]?.[key].cols ?? 0;
    const rows = parts.reduce((n, p) => n + p[key].rows, 0);
    const data = new Float32Array(rows * cols);
    let offset = 0;
    for (const p of parts) {
      data.set(p[key].data, offset);
      offset += p[key].data.length;
    }
    return { rows, cols, data };
  };
  return { features: join('features'), probabilities: join('probabilities') };
}

/** Returns the `onEval` body for a run; the classifier, the judge and the real features are prepared once. */
export function createEvaluator(
  config: TrainConfig,
  trainSet: Dataset,
  log: Logger,
  /** Generated images per evaluation (tests use fewer). */
  samples = EVAL_SAMPLES,
): (context: EvalContext) => Promise<Record<string, number>> {
  const kind = config.dataset.kind;
  if (kind === 'ring8' || kind === 'grid25') return toyEvaluator(kind, log);
  let prepared: Promise<{
    classifier: { extractor: FeatureExtractor; reference: ReferenceFeatures; test: Dataset } | null;
    judge: Judge | null;
  }> | null = null;
  const warn = (err: unknown, msg: string) =>
    log.warn({ err: err instanceof Error ? err.message : String(err) }, msg);
  const prepare = async () => {
    const test = await loadDataset({ ...config.dataset, split: 'test' }).then(
      ({ dataset }) => dataset,
      (err: unknown) => {
        // e.g. an image folder without a test fraction: only the judge can score it.
        warn(
          err,
          config.evalJudge
            ? 'no held-out split: the judge compares with the training images'
            : 'quality metrics unavailable for this dataset',
        );
        return undefined;
      },
    );
    const classifier = await (async () => {
      if (test === undefined) return null;
      const extractor = await loadOrTrainFeatureExtractor({
        train: trainSet,
        test,
        log: (message: string) => log.info(message),
      });
      const reference = await computeReference(extractor, test, samples, 1);
      return { extractor, reference, test };
    })().catch((err: unknown) => {
      // e.g. an unlabelled image folder: no classifier to measure with. Training goes on.
      warn(err, 'quality metrics unavailable for this dataset');
      return null;
    });
    const judge = config.evalJudge
      ? await prepareJudge(test, trainSet, samples).catch((err: unknown) => {
          warn(err, 'judge metrics unavailable for this dataset');
          return null;
        })
      : null;
    return { classifier, judge };
  };
  return async (context) => {
    prepared ??= prepare();
    const { classifier, judge } = await prepared;
    if (classifier === null && judge === null) return {};
    const values: Record<string, number> = {};
    const sampler = evaluationSampler(context.generator);
    // The judge sees the very images the classifier scores: the sampler's batches, teed.
    const judged: Embedding[] = [];
    const generate = async (n: number, labels?: Int32Array) => {
      const images = sampler(n, labels);
      if (judge !== null) judged.push(await judge.judge.embed(images));
      return images;
    };
    const started = performance.now();
    if (classifier !== null) {
      const { extractor, reference, test } = classifier;
      const result = await evaluateGenerator({
        extractor,
        reference,
        dataset: test,
        n: samples,
        conditional: generatorSignature(context.generator).numClasses > 0,
        generate,
      });
      Object.assign(values, {
        'eval/fid': result.fid,
        'eval/kid': result.kid.mean,
        'eval/is': result.is.mean,
        'eval/precision': result.precision,
        'eval/recall': result.recall,
        'eval/confident': result.confident,
      });
      if (result.conditionalAccuracy !== undefined)
        values['eval/conditional_accuracy'] = result.conditionalAccuracy;
    } else if (judge !== null) {
      // No classifier (no classes): unconditional draws, in the classifier path's batch size.
      const classes = generatorSignature(context.generator).numClasses;
      for (let start = 0; start < samples; start += 256) {
        const n = Math.min(256, samples - start);
        const labels =
          classes > 0 ? Int32Array.from({ length: n }, (_, i) => (start + i) % classes) : undefined;
        (await generate(n, labels)).dispose();
      }
    }
    if (judge !== null) {
      const scored = await compareEmbeddings(judge.reference, concatEmbeddings(judged));
      Object.assign(values, {
        'eval/judge_fid': scored.fid,
        'eval/judge_kid': scored.kid.mean,
        'eval/judge_precision': scored.precision,
        'eval/judge_recall': scored.recall,
      });
    }
    const seconds = (performance.now() - started) / 1000;
    log.info({ step: context.step, ...values, seconds }, 'evaluated');
    return values;
  };
}
