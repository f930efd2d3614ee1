/**
 * `node dist/bench/kernels.js [--repeat N]`: CPU ms per call of the native kernels (OpenBLAS,
 * `--threads N`, default 1), the project's wasm kernels and the stock ones at the DCGAN's shapes (batch 64),
 * with the native kernels' GFLOP/s; one JSON line per case. Stock
 * Conv2DBackpropFilter does not exist on wasm; its "stock" figure is the cpu backend's only when
 * `--cpu-filter` is given (it takes minutes).
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import type { NamedAttrMap } from '@tensorflow/tfjs';
import {
  initBackend,
  loadNativeAddon,
  registerWasmKernels,
  restoreStockWasmKernels,
} from '../backend/index.js';
import { median, round2 } from './stats.js';

interface Case {
  name: string;
  kernel: string;
  inputs: Record<string, number[]>;
  attrs: object;
}

const conv = (x: number[], filter: number[], strides: number): object => ({
  strides,
  pad: 'same',
  dataFormat: 'NHWC',
  dimRoundingMode: undefined,
  filterShape: filter,
  inputShape: x,
});

/** Every conv kernel call a DCGAN step makes, by shape. */
const CASES: Case[] = [
  // Generator transposed convs = Conv2DBackpropInput (x: the conv input shape, dy: G activation).
  {
    name: 'G convT 256->128 s1 7x7',
    kernel: 'Conv2DBackpropInput',
    inputs: { dy: [64, 7, 7, 256], filter: [5, 5, 128, 256] },
    attrs: conv([64, 7, 7, 128], [5, 5, 128, 256], 1),
  },
  {
    name: 'G convT 128->64 s2 7->14',
    kernel: 'Conv2DBackpropInput',
    inputs: { dy: [64, 7, 7, 128], filter: [5, 5, 64, 128] },
    attrs: conv([64, 14, 14, 64], [5, 5, 64, 128], 2),
  },
  {
    name: 'G convT 64->1 s2 14->28',
    kernel: 'Conv2DBackpropInput',
    inputs: { dy: [64, 14, 14, 64], filter: [5, 5, 1, 64] },
    attrs: conv([64, 28, 28, 1], [5, 5, 1, 64], 2),
  },
  // Discriminator conv input gradients.
  {
    name: 'D conv2 dx 14x14x64',
    kernel: 'Conv2DBackpropInput',
    inputs: { dy: [64, 7, 7, 128], filter: [5, 5, 64, 128] },
    attrs: conv([64, 14, 14, 64], [5, 5, 64, 128], 2),
  },
  // Filter gradients.
  {
    name: 'G convT1 dW',
    kernel: 'Conv2DBackpropFilter',
    inputs: { x: [64, 7, 7, 128], dy: [64, 7, 7, 256] },
    attrs: conv([64, 7, 7, 128], [5, 5, 128, 256], 1),
  },
  {
    name: 'G convT2 dW',
    kernel: 'Conv2DBackpropFilter',
    inputs: { x: [64, 14, 14, 64], dy: [64, 7, 7, 128] },
    attrs: conv([64, 14, 14, 64], [5, 5, 64, 128], 2),
  },
  {
    name: 'G convT3 dW',
    kernel: 'Conv2DBackpropFilter',
    inputs: { x: [64, 28, 28, 1], dy: [64, 14, 14, 64] },
    attrs: conv([64, 28, 28, 1], [5, 5, 1, 64], 2),
  },
  {
    name: 'D conv1 dW',
    kernel: 'Conv2DBackpropFilter',
    inputs: { x: [64, 28, 28, 1], dy: [64, 14, 14, 64] },
    attrs: conv([64, 28, 28, 1], [5, 5, 1, 64], 2),
  },
  {
    name: 'D conv2 dW',
    kernel: 'Conv2DBackpropFilter',
    inputs: { x: [64, 14, 14, 64], dy: [64, 7, 7, 128] },
    attrs: conv([64, 14, 14, 64], [5, 5, 64, 128], 2),
  },
  // Forward convs (stock), for scale; and the G convT1 input gradient (a plain conv).
  {
    name: 'D conv1 forward',
    kernel: 'Conv2D',
    inputs: { x: [64, 28, 28, 1], filter: [5, 5, 1, 64] },
    attrs: { ...conv([], [], 2), dilations: 1 },
  },
  {
    name: 'D conv2 forward',
    kernel: 'Conv2D',
    inputs: { x: [64, 14, 14, 64], filter: [5, 5, 64, 128] },
    attrs: { ...conv([], [], 2), dilations: 1 },
  },
  {
    name: 'G convT1 dx (conv)',
    kernel: 'Conv2D',
    inputs: { x: [64, 7, 7, 128], filter: [5, 5, 128, 256] },
    attrs: { ...conv([], [], 1), dilations: 1 },
  },
  // Dense layer gradients.
  {
    name: 'G dense dW (z^T dy)',
    kernel: 'BatchMatMul',
    inputs: { a: [1, 64, 100], b: [1, 64, 12544] },
    attrs: { transposeA: true, transposeB: false },
  },
  {
    name: 'D dense dx (dy W^T)',
    kernel: 'BatchMatMul',
    inputs: { a: [1, 64, 1], b: [1, 6272, 1] },
    attrs: { transposeA: false, transposeB: true },
  },
];

function timeKernel(c: Case, repeat: number): number {
  const inputs = Object.fromEntries(
    Object.entries(c.inputs).map(([k, shape]) => [k, tf.randomNormal(shape)]),
  );
  // CPU time of the call: robust to other processes competing for the cores.
  const times: number[] = [];
  for (let i = 0; i <= repeat; i++) {
    const start = process.cpuUsage();
    const out = tf.engine().runKernel<tf.Tensor>(c.kernel, inputs, c.attrs as NamedAttrMap);
    out.dataSync();
    const used = process.cpuUsage(start);
    if (i > 0) times.push((used.user + used.system) / 1000); // the first call warms caches
    out.dispose();
  }
  tf.dispose(Object.values(inputs));
  return round2(median(times));
}

/** Multiply-adds of a case: the convolution's (forward or either gradient) or the matmul's. */
function multiplyAdds(c: Case): number {
  const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
  if (c.kernel === 'BatchMatMul') {
    const a = c.inputs.a!;
    const b = c.inputs.b!;
    const { transposeA } = c.attrs as { transposeA: boolean };
    const k = transposeA ? a[a.length - 2]! : a[a.length - 1]!;
    return (size(a) / k) * size(b.slice(-2)) * (size(b) / size(b.slice(-2)) || 1);
  }
  // Output pixels x filter size: [N, Ho, Wo] x [kh, kw, Ci, Co].
  const filter = c.inputs.filter ?? (c.attrs as { filterShape: number[] }).filterShape;
  const small = c.kernel === 'Conv2DBackpropFilter' ? c.inputs.dy! : undefined;
  const out =
    c.kernel === 'Conv2D'
      ? (() => {
          const x = c.inputs.x!;
          const s = (c.attrs as { strides: number }).strides;
          return [x[0]!, Math.ceil(x[1]! / s), Math.ceil(x[2]! / s)];
        })()
      : (small ?? c.inputs.dy!).slice(0, 3);
  return size(out) * size(filter);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      repeat: { type: 'string', default: '5' },
      threads: { type: 'string', default: '1' },
    },
  });
  const repeat = Number(values.repeat);
  const backend = await initBackend({ backend: 'wasm' });
  const native = backend.nativeKernels?.active === true ? loadNativeAddon().module : undefined;
  const threads = native?.setThreads(Number(values.threads)) ?? 1;
  for (const c of CASES) {
    const nativeMs = native === undefined ? null : timeKernel(c, repeat);
    registerWasmKernels({ native: false });
    const ours = timeKernel(c, repeat);
    let stock: number | null = null;
    if (c.kernel === 'Conv2DBackpropInput' || c.kernel === 'BatchMatMul' || c.kernel === 'Conv2D') {
      restoreStockWasmKernels([c.kernel]);
      stock = timeKernel(c, Math.min(repeat, 3));
    }
    registerWasmKernels();
    const gflop = (2 * multiplyAdds(c)) / 1e9;
    process.stdout.write(
      `${JSON.stringify({
        case: c.name,
        kernel: c.kernel,
        gflop: round2(gflop),
        native_threads: threads,
        ms_native: nativeMs,
        native_gflops: nativeMs === null ? null : round2(gflop / (nativeMs / 1000)),
        ms_gan_core_wasm: ours,
        ms_stock_wasm: stock,
      })}\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:kernels: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
