/**
 * Conv2DBackpropInput (the gradient of a conv w.r.t. its input, i.e. a transposed conv) for wasm.
 * The stock kernel is a direct loop (~780 ms a call for the DCGAN's s2 layers at batch 64).
 *
 * Trick (sub-pixel decomposition): each output pixel y = q*s + p of a stride-s transposed conv
 * only meets the filter taps a = p + pad - s*d (d an integer offset into dy). So all s*s output
 * phases are ONE stride-1 convolution of dy with a small filter F holding, per phase, its taps
 * (phase-major in the output channels), followed by DepthToSpace to interleave the phases:
 *   F[u, v, co, (py*sw + px)*Ci + ci] = W[py + padTop - sh*(u - P), px + padLeft - sw*(v - Q), ci, co]
 *   dx = DepthToSpace(conv2d(dy, F, stride 1, pad [P, Q]), s), cropped to the input size.
 * F is tiny (it is the filter rearranged), so it is built in JS; the heavy work runs in XNNPACK.
 * With s = 1 this is the usual "convolve with the flipped filter".
 */
import { backend_util, Conv2DBackpropInput } from '@tensorflow/tfjs';
import type {
  Conv2DBackpropInputAttrs,
  KernelConfig,
  KernelFunc,
  NamedAttrMap,
  TensorInfo,
} from '@tensorflow/tfjs';
import { planAxis, type AxisPlan } from './axis-plan.js';
import { backpropInputByPhases, phaseWindows } from './conv2d-backprop-input-phases.js';
import { WASM, withScope } from './kernel-utils.js';

/** Below this many input channels one conv for all phases beats one conv per phase. */
const MIN_CHANNELS_PER_PHASE_CONV = 16;

type Shape4 = [number, number, number, number];

/** Rearranges filter W [kh, kw, Ci, Co] into the phase filter F [th, tw, Co, sh*sw*Ci]. */
export function phaseFilter(
  w: Float32Array,
  [kh, kw, ci, co]: Shape4,
  [sh, sw]: [number, number],
  [padTop, padLeft]: [number, number],
  rows: AxisPlan,
  cols: AxisPlan,
): Float32Array {
  const outC = sh * sw * ci;
  const f = new Float32Array(rows.taps * cols.taps * co * outC);
  for (let u = 0; u < rows.taps; u++) {
    for (let py = 0; py < sh; py++) {
      const a = py + padTop - sh * (u - rows.padBefore);
      if (a < 0 || a >= kh) continue;
      for (let v = 0; v < cols.taps; v++) {
        for (let px = 0; px < sw; px++) {
          const b = px + padLeft - sw * (v - cols.padBefore);
          if (b < 0 || b >= kw) continue;
          const phase = (py * sw + px) * ci;
          const wBase = (a * kw + b) * ci * co;
          const fBase = (u * cols.taps + v) * co * outC + phase;
          for (let c = 0; c < ci; c++) {
            for (let o = 0; o < co; o++) {
              f[fBase + o * outC + c] = w[wBase + c * co + o]!;
            }
          }
        }
      }
    }
  }
  return f;
}

function conv2dBackpropInput(args: Parameters<KernelFunc>[0]): TensorInfo {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } =
    args.attrs as unknown as Conv2DBackpropInputAttrs;
  if (backend_util.convertConv2DDataFormat(dataFormat) !== 'channelsLast') {
    throw new Error(`gan-core wasm Conv2DBackpropInput supports NHWC only, got ${dataFormat}`);
  }
  const filterShape = filter.shape as Shape4;
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { strideHeight: sh, strideWidth: sw, padInfo } = info;
  const [batch, dyH, dyW, outC] = dy.shape as Shape4;
  const [, inH, inW, inC] = inputShape;
  const rows = planAxis(info.filterHeight, sh, padInfo.top, inH, dyH);
  const cols = planAxis(info.filterWidth, sw, padInfo.left, inW, dyW);

  return withScope(args.backend, (s) => {
    const filterValues = s.read(filter);
    if ((sh > 1 || sw > 1) && inC >= MIN_CHANNELS_PER_PHASE_CONV) {
      const problem = {
        dy,
        filterValues,
        filterShape,
        strides: [sh, sw] as [number, number],
        pads: [padInfo.top, padInfo.left] as [number, number],
        plans: [rows, cols] as [AxisPlan, AxisPlan],
        inputShape,
      };
      const windows = phaseWindows(problem);
      if (windows !== undefined) return backpropInputByPhases(s, problem, windows);
    }
    const f = phaseFilter(
      filterValues,
      filterShape,
      [sh, sw],
      [padInfo.top, padInfo.left],
      rows,
      cols,
    );
    const fInfo = s.upload(f, [rows.taps, cols.taps, outC, sh * sw * inC]);
    const conv = s.run('Conv2D', { x: dy, filter: fInfo }, {
      strides: [1, 1],
      dilations: [1, 1],
      pad: [
        [0, 0],
        [rows.padBefore, rows.padAfter],
        [cols.padBefore, cols.padAfter],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dimRoundingMode: undefined,
    } as unknown as NamedAttrMap);
    let full: TensorInfo;
    if (sh === 1 && sw === 1) {
      full = conv;
    } else if (sh === sw) {
      full = s.run('DepthToSpace', { x: conv }, { blockSize: sh, dataFormat: 'NHWC' });
    } else {
      // DepthToSpace needs square blocks: [N*H, W, sh, sw*C] -> [N*H, sh, W, sw*C] is the same
      // interleave for any sh, sw.
      const grouped = s.reshape(conv, [batch * rows.outSize, cols.outSize, sh, sw * inC]);
      const moved = s.transpose(grouped, [0, 2, 1, 3]);
      full = s.reshape(moved, [batch, rows.outSize * sh, cols.outSize * sw, inC]);
    }
    return s.cropTo(full, [batch, inH, inW, inC]);
  });
}

/**
 * Registry entry: wasm Conv2DBackpropInput as stride-1 Conv2Ds: one per phase when channels are
 * wide (conv2d-backprop-input-phases.ts), else one for all phases + DepthToSpace.
 */
export const conv2dBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: WASM,
  kernelFunc: conv2dBackpropInput,
};
