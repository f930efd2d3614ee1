import * as tf from '@tensorflow/tfjs';

/** Name of the penultimate (feature) layer; features are read from its output. */
export const FEATURE_LAYER = 'features';
/** Width of the feature layer: the dimension FID, KID and precision/recall work in. */
export const DEFAULT_FEATURE_DIM = 128;

/** Layer layout of the metric classifier. */
export type ExtractorArchitecture = 'cnn' | 'mlp';

/** What {@link buildClassifier} needs to know. */
export interface ClassifierSpec {
  /** Image shape [height, width, channels]. */
  readonly shape: readonly [number, number, number];
  readonly numClasses: number;
  readonly architecture: ExtractorArchitecture;
  readonly featureDim?: number;
  /** Seed of the weight initialisers (reproducible training). */
  readonly seed?: number;
}

/**
 * The metric classifier: stride-2 3x3 convolutions (32, 64, 128 channels) until the feature map
 * is at most 8 pixels wide (two for 28x28 and 32x32, three for 64x64), a dense ReLU feature layer
 * and a softmax. Strided convolutions instead of pooling keep the backward pass on kernels the
 * project's wasm backend has (Conv2DBackprop*), and dropout before the softmax keeps the small
 * training subset from being memorised. The `mlp` layout (two dense layers) is the fallback for
 * backends without fast convolution gradients.
 */
export function buildClassifier(spec: ClassifierSpec): tf.LayersModel {
  const [height, width, channels] = spec.shape;
  const featureDim = spec.featureDim ?? DEFAULT_FEATURE_DIM;
  let seed = spec.seed ?? 1;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const model = tf.sequential({ name: 'metric_classifier' });
  if (spec.architecture === 'cnn') {
    let size = Math.max(height, width);
    let filters = 32;
    let first = true;
    do {
      model.add(
        tf.layers.conv2d({
          ...(first ? { inputShape: [height, width, channels] } : {}),
          filters,
          kernelSize: 3,
          strides: 2,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: init(),
        }),
      );
      first = false;
      size = Math.ceil(size / 2);
      filters = Math.min(filters * 2, 128);
    } while (size > 8);
    model.add(tf.layers.flatten());
  } else {
    model.add(tf.layers.flatten({ inputShape: [height, width, channels] }));
    model.add(tf.layers.dense({ units: 256, activation: 'relu', kernelInitializer: init() }));
  }
  model.add(
    tf.layers.dense({
      name: FEATURE_LAYER,
      units: featureDim,
      activation: 'relu',
      kernelInitializer: init(),
    }),
  );
  model.add(tf.layers.dropout({ rate: 0.3, seed: seed++ }));
  model.add(
    tf.layers.dense({ units: spec.numClasses, activation: 'softmax', kernelInitializer: init() }),
  );
  return model;
}

/** True when the active backend can back-propagate through Conv2D (needed to train the CNN). */
export function backendTrainsConvolutions(): boolean {
  const backend = tf.getBackend();
  return (
    tf.getKernel('Conv2DBackpropFilter', backend) !== undefined &&
    tf.getKernel('Conv2DBackpropInput', backend) !== undefined
  );
}
