import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fastDense } from '../src/models/fast-dense.js';
import { DENSE } from '../src/kernels/native/dense.js';
import { NATIVE, relativeError, setUpWasm, values } from './kernel-harness.js';

/** A one-layer model around `layer`, with fixed weights. */
function modelWith(layer: tf.layers.Layer, kernel: tf.Tensor, bias: tf.Tensor): tf.LayersModel {
  const input = tf.input({ shape: [6] });
  const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
  model.setWeights([kernel, bias]);
  return model;
}

/** Kernels that compute a matrix product (GanmodDense: the native addon's, bias included). */
const PRODUCTS = ['BatchMatMul', '_FusedMatMul', DENSE];

/** Matrix products run (forward and backward) while computing d loss / d weights only. */
async function matMulsForWeightGradients(model: tf.LayersModel, x: tf.Tensor): Promise<number> {
  const weights = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const info = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(
      () => tf.sum<tf.Scalar>(model.apply(x) as tf.Tensor),
      weights,
    );
    tf.dispose([value, ...Object.values(grads)]);
  });
  return info.kernels.filter((k) => PRODUCTS.includes(k.name)).length;
}

describe('fastDense', () => {
  beforeAll(setUpWasm);

  it("computes tf.layers.dense's outputs and gradients, with the same weight layout", async () => {
    await tf.setBackend('wasm');
    const kernel = tf.tensor(values(6 * 4, 1), [6, 4]);
    const bias = tf.tensor(values(4, 2), [4]);
    const x = tf.tensor(values(5 * 6, 3), [5, 6]);
    const fused = modelWith(tf.layers.dense({ units: 4 }), kernel, bias);
    const fast = modelWith(fastDense({ units: 4 }), kernel, bias);
    expect(fast.weights.map((w) => w.shape)).toEqual(fused.weights.map((w) => w.shape));
    const run = (model: tf.LayersModel): Float32Array[] =>
      tf.tidy(() => {
        const y = model.apply(x) as tf.Tensor;
        const weights = model.trainableWeights.map((w) => w.read() as tf.Variable);
        const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.square(model.apply(t) as tf.Tensor)))(x);
        const { grads } = tf.variableGrads(
          () => tf.sum<tf.Scalar>(tf.square(model.apply(x) as tf.Tensor)),
          weights,
        );
        return [y, dx, ...weights.map((w) => grads[w.name]!)].map(
          (t) => t.dataSync() as Float32Array,
        );
      });
    const expected = run(fused);
    const actual = run(fast);
    expect(actual).toHaveLength(4);
    expected.forEach((e, i) => expect(relativeError(actual[i]!, e)).toBeLessThan(1e-6));
    tf.dispose([kernel, bias, x]);
  });

  it('computes no input gradient when only the weights are trained (the fused layer does)', async () => {
    await tf.setBackend('wasm');
    const kernel = tf.tensor(values(6 * 4, 4), [6, 4]);
    const bias = tf.tensor(values(4, 5), [4]);
    const x = tf.tensor(values(5 * 6, 6), [5, 6]);
    // Forward + d/dW: 2 products; tf.layers.dense's fused op also computes d/dx eagerly: 3.
    expect(
      await matMulsForWeightGradients(modelWith(fastDense({ units: 4 }), kernel, bias), x),
    ).toBe(2);
    expect(
      await matMulsForWeightGradients(modelWith(tf.layers.dense({ units: 4 }), kernel, bias), x),
    ).toBe(3);
    tf.dispose([kernel, bias, x]);
  });

  it.runIf(NATIVE)('is one GanmodDense kernel forward where the native addon serves', async () => {
    await tf.setBackend('wasm');
    const layer = fastDense({ units: 4 });
    const model = modelWith(layer, tf.ones([6, 4]), tf.ones([4]));
    const x = tf.ones([3, 6]);
    const info = await tf.profile(() => tf.dispose(model.apply(x) as tf.Tensor));
    expect(info.kernels.map((k) => k.name)).toEqual([DENSE]);
    x.dispose();
  });

  it('gives the matMul + add second-order gradients (a penalty on d output / d input)', async () => {
    const kernel = tf.tensor(values(6 * 4, 7), [6, 4]);
    const bias = tf.tensor(values(4, 8), [4]);
    const x = tf.tensor(values(5 * 6, 9), [5, 6]);
    // d/dW of sum((d sum((xW + b)^3) / dx)^2), an R1-shaped penalty through a nonlinearity.
    const penaltyGradients = async (backend: string): Promise<Float32Array[]> => {
      await tf.setBackend(backend);
      const model = modelWith(fastDense({ units: 4 }), kernel, bias);
      const weights = model.trainableWeights.map((w) => w.read() as tf.Variable);
      return tf.tidy(() => {
        const inputGrad = (t: tf.Tensor): tf.Tensor =>
          tf.grad((u: tf.Tensor) => tf.sum(tf.pow(model.apply(u) as tf.Tensor, 3)))(t);
        const { grads } = tf.variableGrads(
          () => tf.sum<tf.Scalar>(tf.square(inputGrad(x))),
          weights,
        );
        return weights.map((w) => grads[w.name]!.dataSync() as Float32Array);
      });
    };
    const expected = await penaltyGradients('cpu');
    const actual = await penaltyGradients('wasm');
    expect(actual).toHaveLength(2);
    expected.forEach((e, i) => expect(relativeError(actual[i]!, e)).toBeLessThan(1e-5));
    tf.dispose([kernel, bias, x]);
  });

  it.runIf(NATIVE)('GanmodDense has BatchMatMul gradients for every transpose', async () => {
    await tf.setBackend('wasm');
    const a = tf.tensor(values(5 * 3, 10), [5, 3]);
    const b = tf.tensor(values(3 * 4, 11), [3, 4]);
    for (const [ta, tb] of [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ] as const) {
      const p = ta ? tf.transpose(a) : a;
      const q = tb ? tf.transpose(b) : b;
      const [dense, reference] = tf.tidy(() => {
        const viaDense = tf.grads((u: tf.Tensor, v: tf.Tensor) =>
          tf.sum(
            tf.square(
              tf
                .engine()
                .runKernel<tf.Tensor>(DENSE, { a: u, b: v }, { transposeA: ta, transposeB: tb }),
            ),
          ),
        )([p, q]);
        const viaMatMul = tf.grads((u: tf.Tensor, v: tf.Tensor) =>
          tf.sum(tf.square(tf.matMul(u, v, ta, tb))),
        )([p, q]);
        return [viaDense.map((t) => t.dataSync()), viaMatMul.map((t) => t.dataSync())];
      });
      dense.forEach((d, i) =>
        expect(relativeError(d as Float32Array, reference[i] as Float32Array)).toBeLessThan(1e-6),
      );
      if (ta) p.dispose();
      if (tb) q.dispose();
    }
    tf.dispose([a, b]);
  });

  it('serializes as the stock Dense layer, so a stock TF.js loads the model', async () => {
    await tf.setBackend('wasm');
    const input = tf.input({ shape: [6] });
    const hidden = fastDense({ units: 5, activation: 'tanh' }).apply(input);
    const output = fastDense({ units: 2, useBias: false }).apply(hidden) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler((artifacts) => {
        saved = artifacts;
        return Promise.resolve({
          modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' },
        });
      }),
    );
    const topology = saved!.modelTopology as { config: { layers: { class_name: string }[] } };
    expect(topology.config.layers.map((l) => l.class_name)).toEqual([
      'InputLayer',
      'Dense',
      'Dense',
    ]);
    const copy = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    expect(copy.layers[1]!.constructor).toBe(tf.layers.dense({ units: 1 }).constructor);
    const x = tf.tensor(values(4 * 6, 12), [4, 6]);
    const [a, b] = [model.predict(x) as tf.Tensor, copy.predict(x) as tf.Tensor];
    expect(relativeError(a.dataSync() as Float32Array, b.dataSync() as Float32Array)).toBe(0);
    tf.dispose([x, a, b]);
  });

  it('takes inputs of rank 3 like the stock layer (over the last axis)', async () => {
    await tf.setBackend('wasm');
    const kernel = tf.tensor(values(6 * 4, 13), [6, 4]);
    const bias = tf.tensor(values(4, 14), [4]);
    const x = tf.tensor(values(2 * 3 * 6, 15), [2, 3, 6]);
    const build = (layer: tf.layers.Layer): tf.LayersModel => {
      const input = tf.input({ shape: [3, 6] });
      const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
      model.setWeights([kernel, bias]);
      return model;
    };
    const [a, b] = [
      build(fastDense({ units: 4 })).predict(x) as tf.Tensor,
      build(tf.layers.dense({ units: 4 })).predict(x) as tf.Tensor,
    ];
    expect(a.shape).toEqual([2, 3, 4]);
    expect(relativeError(a.dataSync() as Float32Array, b.dataSync() as Float32Array)).toBeLessThan(
      1e-6,
    );
    tf.dispose([kernel, bias, x, a, b]);
  });
});
