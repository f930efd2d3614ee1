export {
  FeatureExtractor,
  argmaxRows,
  top1Accuracy,
  DEFAULT_INFERENCE_BATCH,
  type Embedding,
} from './feature-extractor.js';
export { extractorInfoSchema, EXTRACTOR_FORMAT_VERSION, type ExtractorInfo } from './info.js';
export {
  buildClassifier,
  backendTrainsConvolutions,
  FEATURE_LAYER,
  DEFAULT_FEATURE_DIM,
  type ClassifierSpec,
  type ExtractorArchitecture,
} from './model.js';
export { trainFeatureExtractor, type TrainExtractorOptions } from './train.js';
export {
  loadOrTrainFeatureExtractor,
  cachedMetricClassifier,
  defaultMetricModelsDir,
  type LoadOrTrainOptions,
} from './cache.js';
export { PretrainedJudge, type PretrainedJudgeOptions } from './pretrained-judge.js';
