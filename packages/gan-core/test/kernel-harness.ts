/**
 * Test harness: runs the same kernel on the cpu backend (TF.js's reference kernels) and on wasm
 * (with the project's kernels) and compares the results.
 */
import * as tf from '@tensorflow/tfjs';
import type { NamedAttrMap } from '@tensorflow/tfjs';
import { initBackend, loadNativeAddon, registerWasmKernels } from '../src/backend/index.js';

/** Whether the native addon loads here (then kernels are checked with and without it). */
export const NATIVE = loadNativeAddon().module !== undefined;

/** Initialises wasm with the project's kernels once; tests switch backends with tf.setBackend. */
export async function setUpWasm(): Promise<void> {
  await initBackend({ backend: 'wasm', logger: null });
}

/** Deterministic pseudo-random values in [-1, 1) (a small LCG: tests must not depend on luck). */
export function values(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}

export interface Result {
  shape: number[];
  data: Float32Array;
}

/** Runs one kernel on `backend` with inputs given as plain arrays. */
export async function runOn(
  backend: 'cpu' | 'wasm',
  kernelName: string,
  inputs: Record<string, { shape: number[]; data: Float32Array }>,
  attrs: object,
): Promise<Result> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const tensors = Object.fromEntries(
      Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.data, v.shape)]),
    );
    const out = tf.engine().runKernel<tf.Tensor>(kernelName, tensors, attrs as NamedAttrMap);
    return { shape: out.shape, data: out.dataSync() as Float32Array };
  });
}

/** max |a - b| / max |b|: error relative to the result's scale (per-element ratios blow up near 0). */
export function relativeError(actual: Float32Array, expected: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Runs a kernel on both backends; returns the wasm result's shape and its error vs cpu. */
export async function compareKernel(
  kernelName: string,
  inputs: Record<string, { shape: number[]; data: Float32Array }>,
  attrs: object,
): Promise<{ shape: number[]; expectedShape: number[]; error: number; size: number }> {
  const expected = await runOn('cpu', kernelName, inputs, attrs);
  // The project's wasm kernels alone, then with the native addon's on top where it loads.
  const actuals: Result[] = [];
  for (const native of NATIVE ? [false, true] : [false]) {
    registerWasmKernels({ native });
    try {
      actuals.push(await runOn('wasm', kernelName, inputs, attrs));
    } finally {
      registerWasmKernels();
    }
  }
  const shape = actuals[0]!.shape;
  if (actuals.some((a) => a.shape.join() !== shape.join())) {
    throw new Error(`${kernelName}: wasm and native kernels disagree on the output shape`);
  }
  return {
    shape,
    expectedShape: expected.shape,
    error: Math.max(...actuals.map((a) => relativeError(a.data, expected.data))),
    size: expected.data.length,
  };
}

export function input(shape: number[], seed: number): { shape: number[]; data: Float32Array } {
  return {
    shape,
    data: values(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
  };
}
