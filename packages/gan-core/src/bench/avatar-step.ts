/**
 * The avatar model's benchmark step: gan-core's own training step (`trainStep`) with the
 * `emoji-avatars` preset (resnet-cgan at 64x64x3: spectral norm, hinge, R1, DiffAugment, EMA),
 * on synthetic labelled images so it needs no dataset on disk. Unlike the mlp/dcgan rows there is
 * no PyTorch twin: it times the recipe the trainer runs, not an architecture of the reference.
 */
import { parseTrainConfig, trainingPreset } from '../config.js';
import { CounterRng } from '../train/prng.js';
import { createTrainingState, disposeState } from '../train/state.js';
import { inMemoryImages } from '../train/data.js';
import { trainStep } from '../train/step.js';
import type { GanTrainer, StepLosses } from './gan-step.js';

/** Classes of the synthetic set: the emoji dataset's categories. */
const CLASSES = 10;
/** Images in the synthetic set (batches cycle through it). */
const IMAGES = 256;

/** A {@link GanTrainer} running the emoji-avatars recipe with batch size `batch`. */
export function createAvatarTrainer(batch: number): GanTrainer {
  const config = parseTrainConfig({
    ...trainingPreset('emoji-avatars').config,
    batchSize: batch,
  });
  const rng = new CounterRng(1);
  const shape = [64, 64, 3] as const;
  const pixels = Uint8Array.from({ length: IMAGES * 64 * 64 * 3 }, () => rng.nextInt(256));
  const labels = Int32Array.from({ length: IMAGES }, (_, i) => i % CLASSES);
  const data = inMemoryImages({ pixels, shape, labels, numClasses: CLASSES });
  const state = createTrainingState(config, shape, CLASSES);
  return {
    step(): StepLosses {
      const losses = trainStep(state, data);
      return { discriminator: losses.d, generator: losses.g };
    },
    dispose: () => disposeState(state),
  };
}
