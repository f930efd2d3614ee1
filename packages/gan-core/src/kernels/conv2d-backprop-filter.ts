/**
 * Conv2DBackpropFilter for wasm (stock wasm has none, so a conv net cannot train there).
 *
 * Trick: the filter gradient is itself a convolution.
 *   dW[a, b, ci, co] = sum_{n, i, j} x[n, i*s + a - pad, j*s + b - pad, ci] * dy[n, i, j, co]
 * Swap roles: in-channels become the batch, the batch becomes the channels, and `dy` becomes
 * the filter, dilated by the forward stride:
 *   x' = x^T [Ci, H, W, N],  dy' = dy^T [Ho, Wo, N, Co],
 *   dW' = conv2d(x', dy', stride 1, dilation s, explicit padding)  -> [Ci, kh, kw, Co]
 * so the whole reduction runs in XNNPACK's convolution instead of a per-element JS loop.
 */
import { backend_util, Conv2DBackpropFilter } from '@tensorflow/tfjs';
import type {
  Conv2DBackpropFilterAttrs,
  KernelConfig,
  KernelFunc,
  NamedAttrMap,
  TensorInfo,
} from '@tensorflow/tfjs';
import { WASM, withScope } from './kernel-utils.js';

type Shape4 = [number, number, number, number];

function conv2dBackpropFilter(args: Parameters<KernelFunc>[0]): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
    args.attrs as unknown as Conv2DBackpropFilterAttrs;
  if (backend_util.convertConv2DDataFormat(dataFormat) !== 'channelsLast') {
    throw new Error(`gan-core wasm Conv2DBackpropFilter supports NHWC only, got ${dataFormat}`);
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as Shape4,
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { inHeight, inWidth, outHeight, outWidth, padInfo } = info;
  // Bottom/right padding so that the output covers at least kh x kw; any extra rows or columns
  // (taps that never meet the input) are cropped below.
  const padBottom = Math.max(0, (outHeight - 1) * sh + kh - inHeight - padInfo.top);
  const padRight = Math.max(0, (outWidth - 1) * sw + kw - inWidth - padInfo.left);
  const explicitPad: NamedAttrMap['pad'] = [
    [0, 0],
    [padInfo.top, padBottom],
    [padInfo.left, padRight],
    [0, 0],
  ];

  return withScope(args.backend, (s) => {
    const xT = s.transpose(x, [3, 1, 2, 0]);
    const dyT = s.transpose(dy, [1, 2, 0, 3]);
    const conv = s.run('Conv2D', { x: xT, filter: dyT }, {
      strides: [1, 1],
      dilations: [sh, sw],
      pad: explicitPad,
      dataFormat: 'NHWC',
      dimRoundingMode: undefined,
    } as unknown as NamedAttrMap);
    const cropped = s.cropTo(conv, [info.inChannels, kh, kw, info.outChannels]);
    return s.transpose(cropped, [1, 2, 0, 3]);
  });
}

/** Registry entry: wasm Conv2DBackpropFilter through one dilated Conv2D. */
export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: WASM,
  kernelFunc: conv2dBackpropFilter,
};
