import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { dcgan } from '../src/bench/models.js';
import type { StoredTensor } from '../src/checkpoint/index.js';
import { chain, downBlock } from '../src/models/blocks.js';
import { buildDcganDiscriminator } from '../src/models/dcgan.js';
import { fixedSeedSource } from '../src/models/seeded-dropout.js';
import { UnfusedConv2D, type UnfusedConv2DArgs } from '../src/models/unfused-conv2d.js';
import { fastDense } from '../src/models/fast-dense.js';
import { restoreModel } from '../src/train/state.js';
import { relativeError, setUpWasm, values } from './kernel_harness.js';

const INPUT: [number, number, number] = [9, 9, 3];

/** A one-layer model around `layer`, with fixed weights. */
function modelWith(layer: tf.layers.Layer, weights: tf.Tensor[]): tf.LayersModel {
  const input = tf.input({ shape: INPUT });
  const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
  model.setWeights(weights);
  return model;
}

/** Kernel (and bias) for `args` on INPUT, deterministic. */
function weightsFor(args: UnfusedConv2DArgs, seed: number): tf.Tensor[] {
  const k = args.kernelSize as number;
  const kernel = tf.tensor(values(k * k * INPUT[2] * args.filters, seed), [
    k,
    k,
    INPUT[2],
    args.filters,
  ]);
  return args.useBias === false ? [kernel] : [kernel, tf.tensor(values(args.filters, seed + 1))];
}

/** Names of the kernels that `fn` runs, one entry per call. */
async function kernelsRun(fn: () => void): Promise<string[]> {
  const info = await tf.profile(fn);
  return info.kernels.map((k) => k.name);
}

const count = (names: string[], name: string): number => names.filter((n) => n === name).length;

/** Kernels run while computing d loss / d weights only. */
function weightGradientKernels(model: tf.LayersModel, x: tf.Tensor): Promise<string[]> {
  const weights = model.trainableWeights.map((w) => w.read() as tf.Variable);
  return kernelsRun(() => {
    const { value, grads } = tf.variableGrads(
      () => tf.sum<tf.Scalar>(model.apply(x) as tf.Tensor),
      weights,
    );
    tf.dispose([value, ...Object.values(grads)]);
  });
}

/** Kernels run while computing d loss / d input only (what a G update asks of D). */
function inputGradientKernels(model: tf.LayersModel, x: tf.Tensor): Promise<string[]> {
  return kernelsRun(() => {
    tf.dispose(tf.grad((t: tf.Tensor) => tf.sum(model.apply(t) as tf.Tensor))(x));
  });
}

/** A checkpoint's tensors of `model`, as the trainer stores them. */
function stored(model: tf.LayersModel): StoredTensor[] {
  return model.weights.map((w) => ({
    name: w.originalName,
    shape: [...w.shape] as number[],
    values: w.read().dataSync() as Float32Array,
  }));
}

/** buildDcganDiscriminator as it was with tf.layers.conv2d (blocks.ts `downBlock`), 28x28. */
function legacyDcganDiscriminator(): tf.LayersModel {
  const seeds = fixedSeedSource();
  const image = tf.input({ shape: [28, 28, 1], name: 'image' });
  let x = image;
  for (const filters of [64, 128]) x = downBlock(x, filters, seeds);
  const logits = chain(x, tf.layers.flatten(), fastDense({ units: 1 }));
  return tf.model({ inputs: image, outputs: logits, name: 'dcgan_discriminator' });
}

const suffixes = (model: tf.LayersModel): string[] =>
  model.weights.map((w) => w.originalName.slice(w.originalName.lastIndexOf('/')));

describe('UnfusedConv2D', () => {
  beforeAll(setUpWasm);

  it.each<UnfusedConv2DArgs>([
    { filters: 4, kernelSize: 5, strides: 2, padding: 'same' },
    { filters: 5, kernelSize: 3, strides: 1, padding: 'valid' },
    { filters: 4, kernelSize: 3, strides: 2, padding: 'valid', useBias: false },
  ])("computes tf.layers.conv2d's outputs and gradients, same weight layout: %o", async (args) => {
    await tf.setBackend('wasm');
    const weights = weightsFor(args, 1);
    const x = tf.tensor(values(2 * 9 * 9 * 3, 3), [2, ...INPUT]);
    const fused = modelWith(tf.layers.conv2d(args), weights);
    const unfused = modelWith(new UnfusedConv2D(args), weights);
    expect(unfused.outputs[0]!.shape).toEqual(fused.outputs[0]!.shape);
    expect(unfused.weights.map((w) => w.shape)).toEqual(fused.weights.map((w) => w.shape));
    expect(suffixes(unfused)).toEqual(suffixes(fused));
    const run = (model: tf.LayersModel): Float32Array[] =>
      tf.tidy(() => {
        const y = model.apply(x) as tf.Tensor;
        const trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);
        const loss = (t: tf.Tensor): tf.Scalar => tf.sum(tf.square(model.apply(t) as tf.Tensor));
        const dx = tf.grad(loss)(x);
        const { grads } = tf.variableGrads(() => loss(x), trainable);
        return [y, dx, ...trainable.map((w) => grads[w.name]!)].map(
          (t) => t.dataSync() as Float32Array,
        );
      });
    const expected = run(fused);
    const actual = run(unfused);
    expect(actual).toHaveLength(2 + weights.length);
    expect(actual.map((a) => a.length)).toEqual(expected.map((e) => e.length));
    expected.forEach((e, i) => expect(relativeError(actual[i]!, e)).toBeLessThan(1e-5));
    tf.dispose([...weights, x]);
  });

  it('runs no Conv2DBackpropInput for weight gradients, no Conv2DBackpropFilter for input gradients (the fused layer runs both)', async () => {
    await tf.setBackend('wasm');
    const args: UnfusedConv2DArgs = { filters: 4, kernelSize: 5, strides: 2, padding: 'same' };
    const weights = weightsFor(args, 4);
    const x = tf.tensor(values(2 * 9 * 9 * 3, 6), [2, ...INPUT]);
    const unfused = modelWith(new UnfusedConv2D(args), weights);
    const fused = modelWith(tf.layers.conv2d(args), weights);

    const unfusedW = await weightGradientKernels(unfused, x);
    expect(count(unfusedW, 'Conv2DBackpropFilter')).toBe(1);
    expect(count(unfusedW, 'Conv2DBackpropInput')).toBe(0);
    const fusedW = await weightGradientKernels(fused, x);
    expect(count(fusedW, 'Conv2DBackpropFilter')).toBe(1);
    expect(count(fusedW, 'Conv2DBackpropInput')).toBe(1);

    const unfusedX = await inputGradientKernels(unfused, x);
    expect(count(unfusedX, 'Conv2DBackpropInput')).toBe(1);
    expect(count(unfusedX, 'Conv2DBackpropFilter')).toBe(0);
    const fusedX = await inputGradientKernels(fused, x);
    expect(count(fusedX, 'Conv2DBackpropInput')).toBe(1);
    expect(count(fusedX, 'Conv2DBackpropFilter')).toBe(1);
    tf.dispose([...weights, x]);
  });

  it("a tf.layers.conv2d discriminator's checkpoint restores into the unfused one, and back", async () => {
    await tf.setBackend('wasm');
    const legacy = legacyDcganDiscriminator();
    const current = buildDcganDiscriminator({ shape: [28, 28, 1], seeds: fixedSeedSource() });
    expect(current.layers.filter((l) => l instanceof UnfusedConv2D)).toHaveLength(2);
    expect(current.weights.map((w) => w.shape)).toEqual(legacy.weights.map((w) => w.shape));
    expect(suffixes(current)).toEqual(suffixes(legacy));
    // Same initializers: glorotNormal kernels (same spread, up to sampling noise: the 1600 values
    // of the first kernel give the ratio a standard error of ~2.5%), zero biases.
    legacy.weights.forEach((w, i) => {
      const [a, b] = [w.read(), current.weights[i]!.read()];
      const spread = (t: tf.Tensor): number => tf.tidy(() => tf.moments(t).variance.dataSync()[0]!);
      if (w.shape.length === 1) expect(b.dataSync().every((v) => v === 0)).toBe(true);
      else expect(Math.abs(Math.sqrt(spread(b) / spread(a)) - 1)).toBeLessThan(0.15);
    });

    const images = tf.tensor(values(3 * 28 * 28, 7), [3, 28, 28, 1]);
    restoreModel(current, stored(legacy), 'discriminator', 'test');
    const logits = (m: tf.LayersModel): Float32Array =>
      tf.tidy(() => (m.predict(images) as tf.Tensor).dataSync() as Float32Array);
    expect(relativeError(logits(current), logits(legacy))).toBeLessThan(1e-5);

    // And back: a new checkpoint still loads into a tf.layers.conv2d discriminator.
    const fresh = buildDcganDiscriminator({ shape: [28, 28, 1], seeds: fixedSeedSource() });
    restoreModel(legacy, stored(fresh), 'discriminator', 'test');
    expect(relativeError(logits(legacy), logits(fresh))).toBeLessThan(1e-5);
    tf.dispose(images);
    [legacy, current, fresh].forEach((m) => m.dispose());
  });

  it("the benchmark's DCGAN discriminator is unfused, generator still tf.layers", () => {
    const { generator, discriminator } = dcgan(8);
    const kinds = (m: tf.LayersModel): string[] => m.layers.map((l) => l.getClassName());
    expect(kinds(discriminator).filter((k) => k === UnfusedConv2D.className)).toHaveLength(2);
    expect(kinds(discriminator)).not.toContain('Conv2D');
    expect(kinds(generator)).toContain('Conv2DTranspose');
    expect(discriminator.outputs[0]!.shape).toEqual([null, 1]);
    generator.dispose();
    discriminator.dispose();
  });

  it('serializes its config and refuses bad arguments or inputs', () => {
    const layer = new UnfusedConv2D({
      filters: 3,
      kernelSize: [3, 5],
      strides: 2,
      padding: 'same',
    });
    expect(layer.getConfig()).toMatchObject({
      filters: 3,
      kernelSize: [3, 5],
      strides: [2, 2],
      padding: 'same',
      useBias: true,
    });
    expect(layer.computeOutputShape([null, 9, 10, 4])).toEqual([null, 5, 5, 3]);
    const registered =
      tf.serialization.SerializationMap.getMap().classNameMap[UnfusedConv2D.className];
    expect(registered?.[0]).toBe(UnfusedConv2D);
    const copy = UnfusedConv2D.fromConfig(UnfusedConv2D, layer.getConfig());
    expect(copy.getConfig()).toEqual(layer.getConfig());
    expect(() => layer.build([2, 3, 4])).toThrow(
      /expects \[batch, height, width, channels\] inputs, got \[2, 3, 4\]/,
    );
    expect(() => new UnfusedConv2D({ filters: 0, kernelSize: 3 })).toThrow(
      /filters must be a positive integer/,
    );
    expect(() => new UnfusedConv2D({ filters: 2, kernelSize: [3, 0] })).toThrow(/kernelSize/);
    expect(
      () =>
        new UnfusedConv2D({ filters: 2, kernelSize: 3, padding: 'causal' as unknown as 'same' }),
    ).toThrow(/padding/);
  });
});
