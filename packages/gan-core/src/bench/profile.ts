/** Where a training step's time goes, per TF.js kernel name. */
import * as tf from '@tensorflow/tfjs';

/** Milliseconds and call counts per kernel, most expensive first. */
export interface KernelTime {
  kernel: string;
  ms: number;
  calls: number;
}

/**
 * Runs `f` under `tf.profile` and sums the kernels' wall time by name. On wasm/cpu the kernels
 * run synchronously, so each kernel's time is its own (the project's composite kernels call the
 * stock ones directly, so their time counts under the composite's name).
 */
export async function profileByKernel(f: () => void): Promise<KernelTime[]> {
  const info = await tf.profile(() => {
    f();
  });
  const byName = new Map<string, KernelTime>();
  for (const k of info.kernels) {
    const entry = byName.get(k.name) ?? { kernel: k.name, ms: 0, calls: 0 };
    entry.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    entry.calls += 1;
    byName.set(k.name, entry);
  }
  return [...byName.values()]
    .map((e) => ({ ...e, ms: Math.round(e.ms * 10) / 10 }))
    .sort((a, b) => b.ms - a.ms);
}
