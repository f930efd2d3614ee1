export * from './data.js';
export * from './prng.js';
export {
  captureState,
  createTrainingState,
  disposeState,
  restoreState,
  type TrainingState,
} from './state.js';
export { adam, FusedAdamOptimizer } from './adam.js';
export { trainStep, type StepLosses, type StepOptions } from './step.js';
export { vaeStep, type VaeStepLosses } from './vae-step.js';
export { train, trainValidated } from './trainer.js';
export * from './types.js';
export { DivergenceWatchdog } from './watchdog.js';
export {
  refreshStandingStatistics,
  type StandingStatisticsOptions,
} from './standing-statistics.js';
