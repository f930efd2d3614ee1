import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { UnfusedDense } from '../src/models/unfused-dense.js';
import { relativeError, setUpWasm, values } from './kernel_harness.js';

/** A one-layer model around `layer`, with fixed weights. */
function modelWith(layer: tf.layers.Layer, kernel: tf.Tensor, bias: tf.Tensor): tf.LayersModel {
  const input = tf.input({ shape: [6] });
  const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
  model.setWeights([kernel, bias]);
  return model;
}

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
  return info.kernels.filter((k) => k.name === 'BatchMatMul' || k.name === '_FusedMatMul').length;
}

describe('UnfusedDense', () => {
  beforeAll(setUpWasm);

  it("computes tf.layers.dense's outputs and gradients, with the same weight layout", async () => {
    await tf.setBackend('wasm');
    const kernel = tf.tensor(values(6 * 4, 1), [6, 4]);
    const bias = tf.tensor(values(4, 2), [4]);
    const x = tf.tensor(values(5 * 6, 3), [5, 6]);
    const fused = modelWith(tf.layers.dense({ units: 4 }), kernel, bias);
    const unfused = modelWith(new UnfusedDense({ units: 4 }), kernel, bias);
    expect(unfused.weights.map((w) => w.shape)).toEqual(fused.weights.map((w) => w.shape));
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
    const actual = run(unfused);
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
      await matMulsForWeightGradients(modelWith(new UnfusedDense({ units: 4 }), kernel, bias), x),
    ).toBe(2);
    expect(
      await matMulsForWeightGradients(modelWith(tf.layers.dense({ units: 4 }), kernel, bias), x),
    ).toBe(3);
    tf.dispose([kernel, bias, x]);
  });

  it('refuses inputs that are not [batch, features]', () => {
    const layer = new UnfusedDense({ units: 3 });
    expect(() => layer.build([2, 3, 4])).toThrow(
      /expects \[batch, features\] inputs, got \[2, 3, 4\]/,
    );
    expect(() => new UnfusedDense({ units: 0 })).toThrow(/units must be a positive integer/);
  });
});
