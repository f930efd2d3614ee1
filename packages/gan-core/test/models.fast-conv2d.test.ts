import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { dcgan } from '../src/bench/models.js';
import type { StoredTensor } from '../src/checkpoint/index.js';
import { chain } from '../src/models/blocks.js';
import { buildDcganDiscriminator } from '../src/models/dcgan.js';
import { fixedSeedSource, SeededDropout } from '../src/models/seeded-dropout.js';
import { fastConv2d, type Conv2DArgs } from '../src/models/fast-conv2d.js';
import { fastDense } from '../src/models/fast-dense.js';
import { restoreModel } from '../src/train/state.js';
import { relativeError, setUpWasm, values } from './kernel-harness.js';

const INPUT: [number, number, number] = [9, 9, 3];

/** A one-layer model around `layer`, with fixed weights. */
function modelWith(layer: tf.layers.Layer, weights: tf.Tensor[]): tf.LayersModel {
  const input = tf.input({ shape: INPUT });
  const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
  model.setWeights(weights);
  return model;
}

/** Kernel (and bias) for `args` on INPUT, deterministic. */
function weightsFor(args: Conv2DArgs, seed: number): tf.Tensor[] {
  const size = args.kernelSize;
  const [kh, kw] = typeof size === 'number' ? [size, size] : (size as [number, number]);
  const shape = [kh, kw, INPUT[2], args.filters];
  const kernel = tf.tensor(values(kh * kw * INPUT[2] * args.filters, seed), shape);
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

/** buildDcganDiscriminator as it was with stock tf.layers.conv2d, 28x28. */
function legacyDcganDiscriminator(): tf.LayersModel {
  const seeds = fixedSeedSource();
  const image = tf.input({ shape: [28, 28, 1], name: 'image' });
  let x = image;
  for (const filters of [64, 128]) {
    x = chain(
      x,
      tf.layers.conv2d({ filters, kernelSize: 5, strides: 2, padding: 'same' }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      new SeededDropout({ rate: 0.3, seeds }),
    );
  }
  const logits = chain(x, tf.layers.flatten(), fastDense({ units: 1 }));
  return tf.model({ inputs: image, outputs: logits, name: 'dcgan_discriminator' });
}

const suffixes = (model: tf.LayersModel): string[] =>
  model.weights.map((w) => w.originalName.slice(w.originalName.lastIndexOf('/')));

describe('fastConv2d', () => {
  beforeAll(setUpWasm);

  it.each<Conv2DArgs>([
    { filters: 4, kernelSize: 5, strides: 2, padding: 'same' },
    { filters: 5, kernelSize: 3, strides: 1, padding: 'valid' },
    { filters: 4, kernelSize: 3, strides: 2, padding: 'valid', useBias: false },
    { filters: 3, kernelSize: [3, 5], strides: 1, padding: 'same', activation: 'tanh' },
  ])("computes tf.layers.conv2d's outputs and gradients, same weight layout: %o", async (args) => {
    await tf.setBackend('wasm');
    const weights = weightsFor(args, 1);
    const x = tf.tensor(values(2 * 9 * 9 * 3, 3), [2, ...INPUT]);
    const stock = modelWith(tf.layers.conv2d(args), weights);
    const fast = modelWith(fastConv2d(args), weights);
    expect(fast.outputs[0]!.shape).toEqual(stock.outputs[0]!.shape);
    expect(fast.weights.map((w) => w.shape)).toEqual(stock.weights.map((w) => w.shape));
    expect(suffixes(fast)).toEqual(suffixes(stock));
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
    const expected = run(stock);
    const actual = run(fast);
    expect(actual).toHaveLength(2 + weights.length);
    expect(actual.map((a) => a.length)).toEqual(expected.map((e) => e.length));
    expected.forEach((e, i) => expect(relativeError(actual[i]!, e)).toBeLessThan(1e-5));
    tf.dispose([...weights, x]);
  });

  it('hands dilated convolutions to the stock layer (same outputs)', async () => {
    await tf.setBackend('wasm');
    const args: Conv2DArgs = { filters: 3, kernelSize: 3, padding: 'same', dilationRate: 2 };
    const weights = weightsFor(args, 8);
    const x = tf.tensor(values(2 * 9 * 9 * 3, 9), [2, ...INPUT]);
    const [a, b] = [fastConv2d(args), tf.layers.conv2d(args)].map(
      (layer) => modelWith(layer, weights).predict(x) as tf.Tensor,
    );
    expect(relativeError(a!.dataSync() as Float32Array, b!.dataSync() as Float32Array)).toBe(0);
    tf.dispose([...weights, x, a!, b!]);
  });

  it('runs no Conv2DBackpropInput for weight gradients, no Conv2DBackpropFilter for input gradients (the stock layer runs both)', async () => {
    await tf.setBackend('wasm');
    const args: Conv2DArgs = { filters: 4, kernelSize: 5, strides: 2, padding: 'same' };
    const weights = weightsFor(args, 4);
    const x = tf.tensor(values(2 * 9 * 9 * 3, 6), [2, ...INPUT]);
    const fast = modelWith(fastConv2d(args), weights);
    const stock = modelWith(tf.layers.conv2d(args), weights);

    const fastW = await weightGradientKernels(fast, x);
    expect(count(fastW, 'Conv2DBackpropFilter')).toBe(1);
    expect(count(fastW, 'Conv2DBackpropInput')).toBe(0);
    const stockW = await weightGradientKernels(stock, x);
    expect(count(stockW, 'Conv2DBackpropFilter')).toBe(1);
    expect(count(stockW, 'Conv2DBackpropInput')).toBe(1);

    const fastX = await inputGradientKernels(fast, x);
    expect(count(fastX, 'Conv2DBackpropInput')).toBe(1);
    expect(count(fastX, 'Conv2DBackpropFilter')).toBe(0);
    const stockX = await inputGradientKernels(stock, x);
    expect(count(stockX, 'Conv2DBackpropInput')).toBe(1);
    expect(count(stockX, 'Conv2DBackpropFilter')).toBe(1);
    tf.dispose([...weights, x]);
  });

  it("the DCGAN discriminator: a G update computes none of D's kernel gradients, and a stock tf.layers.conv2d discriminator's checkpoint restores into it, and back", async () => {
    await tf.setBackend('wasm');
    const legacy = legacyDcganDiscriminator();
    const current = buildDcganDiscriminator({ shape: [28, 28, 1], seeds: fixedSeedSource() });
    expect(current.weights.map((w) => w.shape)).toEqual(legacy.weights.map((w) => w.shape));
    expect(suffixes(current)).toEqual(suffixes(legacy));
    const images = tf.tensor(values(3 * 28 * 28, 7), [3, 28, 28, 1]);
    expect(count(await inputGradientKernels(current, images), 'Conv2DBackpropFilter')).toBe(0);
    expect(count(await inputGradientKernels(legacy, images), 'Conv2DBackpropFilter')).toBe(2);

    restoreModel(current, stored(legacy), 'discriminator', 'test');
    const logits = (m: tf.LayersModel): Float32Array =>
      tf.tidy(() => (m.predict(images) as tf.Tensor).dataSync() as Float32Array);
    expect(relativeError(logits(current), logits(legacy))).toBeLessThan(1e-5);
    const fresh = buildDcganDiscriminator({ shape: [28, 28, 1], seeds: fixedSeedSource() });
    restoreModel(legacy, stored(fresh), 'discriminator', 'test');
    expect(relativeError(logits(legacy), logits(fresh))).toBeLessThan(1e-5);
    tf.dispose(images);
    [legacy, current, fresh].forEach((m) => m.dispose());
  });

  it("serializes as the stock Conv2D layer (the benchmark's discriminator too)", () => {
    const { generator, discriminator } = dcgan(8);
    const kinds = (m: tf.LayersModel): string[] => m.layers.map((l) => l.getClassName());
    expect(kinds(discriminator).filter((k) => k === 'Conv2D')).toHaveLength(2);
    expect(kinds(generator)).toContain('Conv2DTranspose');
    const layer = fastConv2d({ filters: 3, kernelSize: [3, 5], strides: 2, padding: 'same' });
    const copy = tf.layers.conv2d(layer.getConfig() as unknown as Conv2DArgs);
    expect(copy.getConfig()).toEqual(layer.getConfig());
    expect(layer.computeOutputShape([null, 9, 10, 4])).toEqual([null, 5, 5, 3]);
    generator.dispose();
    discriminator.dispose();
  });
});
