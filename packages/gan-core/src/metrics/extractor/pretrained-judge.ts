/**
 * A pretrained image network as an independent judge of generated images: the features of one of
 * its inner layers stand in for Inception's pool3 in FID, KID and precision/recall. The metric
 * classifiers of this package are trained on the dataset being generated, and a small one can
 * reward the wrong things (the emoji classifier, 80% on 10 coarse categories, scores blurred
 * category averages well); a network trained on many other images is a second opinion.
 */
import * as tf from '@tensorflow/tfjs';
import type { MetricDataset } from '../dataset.js';
import { featureMatrix, type FeatureMatrix } from '../stats/matrix.js';
import { DEFAULT_INFERENCE_BATCH, type Embedding } from './feature-extractor.js';

/** How to read features out of a pretrained layers model. */
export interface PretrainedJudgeOptions {
  /** The network; owned by the judge from now on (see {@link PretrainedJudge.dispose}). */
  network: tf.LayersModel;
  /** Name of the layer whose (flattened) output is the feature vector, e.g. a global pool. */
  featureLayer: string;
  /** Shape `[h, w, c]` of the images to judge; they are given in [-1, 1], as generators draw. */
  imageShape: readonly [number, number, number];
  /** Value range the network was trained on (default `[0, 1]`). */
  inputRange?: readonly [number, number];
  /** A name for reports, e.g. `nsfwjs mobilenet_v2 flatten_1`. */
  name?: string;
}

/**
 * Features of a pretrained network for images of one shape. Images are resized (bilinear) to the
 * network's input side and mapped from [-1, 1] to its input range before it, batch by batch. `probabilities` are the network's own outputs (its classes, not
 * the dataset's): use them for nothing but the record.
 */
export class PretrainedJudge {
  /** Width of the feature vectors. */
  readonly featureDim: number;
  /** Number of the network's output classes. */
  readonly outputDim: number;
  /** Reported name. */
  readonly name: string;
  private readonly embedder: tf.LayersModel;
  private readonly inputSize: [number, number];

  constructor(private readonly options: PretrainedJudgeOptions) {
    const { network, featureLayer, imageShape } = options;
    const [inputH, inputW, inputC] = network.inputs[0]?.shape.slice(1) ?? [];
    if (inputH == null || inputW == null || inputC == null) {
      throw new RangeError('pretrained judge: the network needs a fixed [h, w, c] input');
    }
    if (imageShape[2] !== inputC) {
      throw new RangeError(
        `pretrained judge: the network takes ${inputC} channels, the images have ${imageShape[2]}`,
      );
    }
    let features: tf.SymbolicTensor;
    try {
      features = network.getLayer(featureLayer).output as tf.SymbolicTensor;
    } catch {
      throw new RangeError(`pretrained judge: the network has no layer named '${featureLayer}'`);
    }
    const probabilities = network.outputs[0];
    if (probabilities === undefined) throw new Error('pretrained judge: network has no output');
    const featureDim = features.shape.slice(1).reduce<number>((a, d) => a * (d ?? NaN), 1);
    if (!Number.isFinite(featureDim)) {
      throw new RangeError(`pretrained judge: layer '${featureLayer}' has no fixed size`);
    }
    this.featureDim = featureDim;
    this.outputDim = probabilities.shape[1] ?? 0;
    this.name = options.name ?? `${network.name} ${featureLayer}`;

    const trunk = tf.model({ inputs: network.inputs, outputs: [features, probabilities] });
    const flat =
      features.shape.length > 2
        ? (tf.layers.flatten().apply(trunk.outputs[0]!) as tf.SymbolicTensor)
        : trunk.outputs[0]!;
    this.embedder = tf.model({ inputs: trunk.inputs, outputs: [flat, trunk.outputs[1]!] });
    this.inputSize = [inputH, inputW];
  }

  /**
   * [-1, 1] -> the network's range, then bilinear resizing to its input side. Outside the layers
   * graph: tfjs-layers 4.22's `Resizing` layer hands its input list to `resizeBilinear` and throws.
   */
  private prepare(x: tf.Tensor4D): tf.Tensor4D {
    const [low, high] = this.options.inputRange ?? [0, 1];
    const scaled = x.mul((high - low) / 2).add<tf.Tensor4D>((high + low) / 2);
    const [h, w] = this.inputSize;
    return x.shape[1] === h && x.shape[2] === w ? scaled : tf.image.resizeBilinear(scaled, [h, w]);
  }

  /** Embeds `count` images stored back to back in `data` (HWC, [-1, 1]), batch by batch. */
  async embedArray(
    data: Float32Array,
    count: number,
    batchSize = DEFAULT_INFERENCE_BATCH / 8,
  ): Promise<Embedding> {
    const [h, w, c] = this.options.imageShape;
    const len = h * w * c;
    if (data.length !== count * len) {
      throw new RangeError(
        `pretrained judge: ${data.length} floats is not ${count} images of ${h}x${w}x${c}`,
      );
    }
    const features = new Float32Array(count * this.featureDim);
    const probabilities = new Float32Array(count * this.outputDim);
    for (let start = 0; start < count; start += batchSize) {
      const n = Math.min(batchSize, count - start);
      const outputs = tf.tidy(
        () =>
          this.embedder.predict(
            this.prepare(tf.tensor4d(data.subarray(start * len, (start + n) * len), [n, h, w, c])),
            { batchSize: n },
          ) as tf.Tensor[],
      );
      try {
        const [f, p] = await Promise.all(outputs.map((t) => t.data<'float32'>()));
        features.set(f as Float32Array, start * this.featureDim);
        probabilities.set(p as Float32Array, start * this.outputDim);
      } finally {
        tf.dispose(outputs);
      }
    }
    return {
      features: featureMatrix(features, count, this.featureDim),
      probabilities: featureMatrix(probabilities, count, this.outputDim),
    };
  }

  /** Embeds the first `count` (default all) images of a dataset of the judge's image shape. */
  async embedDataset(dataset: MetricDataset, count = dataset.size): Promise<Embedding> {
    const expected = this.options.imageShape;
    if (dataset.shape.some((d, i) => d !== expected[i])) {
      throw new RangeError(
        `pretrained judge: takes images of shape [${expected.join(', ')}], the dataset's are [${dataset.shape.join(', ')}]`,
      );
    }
    const n = Math.min(count, dataset.size);
    const len = expected[0] * expected[1] * expected[2];
    return this.embedArray(dataset.data.subarray(0, n * len), n);
  }

  /** Features and the network's outputs for a batch of images `[n, h, w, c]` in [-1, 1]. */
  async embed(images: tf.Tensor4D): Promise<Embedding> {
    const [n, ...shape] = images.shape;
    if (shape.some((d, i) => d !== this.options.imageShape[i])) {
      throw new RangeError(
        `pretrained judge: takes images of shape [${this.options.imageShape.join(', ')}], got [${shape.join(', ')}]`,
      );
    }
    return this.embedArray(await images.data<'float32'>(), n);
  }

  /** Features of a batch of images `[n, h, w, c]` in [-1, 1]. */
  async features(images: tf.Tensor4D): Promise<FeatureMatrix> {
    return (await this.embed(images)).features;
  }

  /** Frees the network's weights. */
  dispose(): void {
    this.options.network.dispose();
  }
}
