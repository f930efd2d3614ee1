/**
 * A faster forward pass for Keras CNNs such as nsfwjs' MobileNetV2: every batch normalization that
 * follows a convolution is folded into the convolution's weights and bias at load time, and the
 * ReLU/ReLU6 after it becomes the fused op's activation. The layers model runs ~150 ops per image
 * (convolution, batch-norm and clip each over the whole activation); this runs ~68 fused ones
 * (gan-core's native kernels: OpenBLAS for the convolutions and their bias+ReLU6 epilogue, a
 * vectorized loop for the depthwise ones). A ZeroPadding2D before a 'valid' convolution becomes
 * that convolution's explicit padding (no padded copy). Where gan-core's addon has oneDNN, the
 * longest run of fused convolutions and residual sums from the input (MobileNetV2's whole trunk)
 * is compiled into one native oneDNN network instead, and only the head runs as TF.js ops.
 * Outputs match the layers model within float rounding.
 */
import * as tf from '@tensorflow/tfjs';
import { NSFW_INT8_RANGES } from './int8-ranges.js';
import {
  createNativeCnn,
  type CnnNode,
  type CnnPrecision,
  type NativeCnn,
  type NativeCnnOptions,
} from '@ganmod/gan-core';

/** A folded model: a forward pass equivalent to `model.predict` for inference. */
export interface FoldedModel {
  predict(x: tf.Tensor4D): tf.Tensor2D;
  /**
   * The same from NHWC pixels in an array (`shape` = [n, h, w, c]): where the trunk runs natively
   * it reads the array directly, without a tensor's copies in and out of the backend.
   */
  predictPixels(pixels: Float32Array, shape: [number, number, number, number]): tf.Tensor2D;
  /** Number of ops per forward pass (fused convolutions count one). */
  readonly steps: number;
  /**
   * How many of those ops run as one native oneDNN trunk (gan-core's `createNativeCnn`, one image
   * at a time); 0 where the addon has no oneDNN or the model's layers do not allow it.
   */
  readonly nativeSteps: number;
  /** The native trunk's arithmetic (see {@link FoldOptions}); undefined without a trunk. */
  readonly precision: CnnPrecision | undefined;
  /**
   * Widens the f32 trunk's activation ranges over `pixels` (`shape` = [n, h, w, c]): what an
   * int8 trunk is calibrated with ({@link FoldOptions.ranges}).
   *
   * @throws Error without an f32 native trunk.
   */
  calibrate(
    pixels: Float32Array,
    shape: [number, number, number, number],
    ranges?: Float32Array,
  ): Float32Array;
  dispose(): void;
}

/**
 * Options of {@link foldLayersModel}: the native trunk's precision (`f32` by default; `bf16` and
 * `int8` run where the CPU has the instructions, f32 elsewhere; gan-core's `nativeCnnPrecision`)
 * and, for int8, the activation ranges measured by {@link FoldedModel.calibrate}.
 */
export type FoldOptions = NativeCnnOptions;

/** Environment variable: the NSFW trunk's precision, `f32` (default), `bf16` or `int8`. */
export const NSFW_PRECISION_ENV = 'GANMOD_NSFW_PRECISION';

/**
 * {@link FoldOptions} for the NSFW MobileNetV2 from {@link NSFW_PRECISION_ENV}: f32 unless it
 * names `bf16` or `int8` (int8 with the shipped calibration, `int8-ranges.ts`). Both are opt-in:
 * ~2x less CPU for the trunk, but class probabilities move by up to 0.18 (bf16) and 0.43 (int8)
 * from f32's on real photos (README, Throughput).
 *
 * @throws Error when the variable holds anything else.
 */
export function nsfwFoldOptions(
  env: Record<string, string | undefined> = process.env,
  ranges: readonly number[] = NSFW_INT8_RANGES,
): FoldOptions {
  const value = env[NSFW_PRECISION_ENV] ?? 'f32';
  if (value === 'f32' || value === '') return {};
  if (value === 'bf16') return { precision: 'bf16' };
  if (value === 'int8') return { precision: 'int8', ranges: Float32Array.from(ranges) };
  throw new Error(`${NSFW_PRECISION_ENV} must be f32, bf16 or int8, not '${value}'`);
}

type Activation = 'linear' | 'relu' | 'relu6';

/** One step of the plan; reads tensors by layer name and returns its output. */
type Step = (read: (name: string) => tf.Tensor) => tf.Tensor;

interface LayerInfo {
  layer: tf.layers.Layer;
  className: string;
  config: Record<string, unknown>;
  inputs: string[];
}

/** Layer classes the folded path runs; anything else makes {@link foldLayersModel} throw. */
const SUPPORTED = new Set([
  'InputLayer',
  'ZeroPadding2D',
  'Conv2D',
  'DepthwiseConv2D',
  'BatchNormalization',
  'ReLU',
  'Activation',
  'Add',
  'AveragePooling2D',
  'GlobalAveragePooling2D',
  'Flatten',
  'Dense',
  'Dropout',
]);

function describe(model: tf.LayersModel): LayerInfo[] {
  return model.layers.map((layer) => {
    const node = (layer as unknown as { inboundNodes: { inboundLayers: tf.layers.Layer[] }[] })
      .inboundNodes[0];
    return {
      layer,
      className: layer.getClassName(),
      // getConfig() speaks camelCase; the Keras names (max_value, use_bias...) are read here.
      config: Object.fromEntries(
        Object.entries(layer.getConfig()).map(([k, v]) => [
          k.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`),
          v,
        ]),
      ),
      inputs: (node?.inboundLayers ?? []).map((l) => l.name),
    };
  });
}

/** The activation a ReLU layer computes, or null when it is not a plain ReLU/ReLU6. */
function reluActivation(info: LayerInfo): Activation | null {
  const c = info.config;
  if (info.className === 'Activation') return c.activation === 'relu' ? 'relu' : null;
  if (info.className !== 'ReLU') return null;
  if ((c.negative_slope ?? 0) !== 0 || (c.threshold ?? 0) !== 0) return null;
  if (c.max_value === 6) return 'relu6';
  return c.max_value === null || c.max_value === undefined ? 'relu' : null;
}

/**
 * Batch-norm parameters as a per-channel affine map y = x * scale + shift (inference statistics).
 */
function batchNormAffine(info: LayerInfo): { scale: tf.Tensor1D; shift: tf.Tensor1D } {
  const c = info.config;
  const weights = info.layer.getWeights();
  let k = 0;
  const gamma = c.scale === false ? null : weights[k++]!;
  const beta = c.center === false ? null : weights[k++]!;
  const mean = weights[k++]!;
  const variance = weights[k]!;
  const epsilon = Number(c.epsilon ?? 1e-3);
  return tf.tidy(() => {
    const inv = tf.rsqrt(tf.add(variance, epsilon));
    const scale = (gamma ? tf.mul(gamma, inv) : inv) as tf.Tensor1D;
    const shift = tf.sub<tf.Tensor1D>(beta ?? tf.zerosLike(mean), tf.mul(mean, scale));
    return { scale: tf.keep(scale), shift: tf.keep(shift) };
  });
}

/** What a plan step is on the native trunk, by the names of the activations it reads. */
type NativeStep =
  | { op: 'conv'; read: string; conv: Omit<Extract<CnnNode, { op: 'conv' }>, 'input'> }
  | { op: 'add'; reads: [string, string] };

/**
 * The native description of a fused convolution, and its output shape recorded in `shapes`;
 * undefined when its input shape is unknown or it uses what the trunk does not (dilation, a
 * depthwise channel multiplier other than 1).
 */
function nativeConv(
  shapes: Map<string, [number, number, number]>,
  read: string,
  name: string,
  kernel: tf.Tensor4D,
  bias: tf.Tensor | undefined,
  strides: [number, number],
  dilations: [number, number],
  padding: 'same' | 'valid' | tf.backend_util.ExplicitPadding,
  activation: Activation,
  depthwise: boolean,
): NativeStep | undefined {
  const from = shapes.get(read);
  if (!from || dilations[0] !== 1 || dilations[1] !== 1) return undefined;
  if (depthwise && kernel.shape[3] !== 1) return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    [1, ...from],
    kernel.shape,
    strides,
    dilations,
    padding,
    undefined,
    depthwise,
  );
  shapes.set(name, [info.outHeight, info.outWidth, info.outChannels]);
  const [kh, kw, ci] = kernel.shape;
  const p = info.padInfo;
  return {
    op: 'conv',
    read,
    conv: {
      op: 'conv',
      depthwise,
      shape: [kh, kw, ci, depthwise ? ci : kernel.shape[3]],
      filter: Float32Array.from(kernel.dataSync()),
      ...(bias ? { bias: Float32Array.from(bias.dataSync()) } : {}),
      strides,
      pad: [p.top, p.bottom, p.left, p.right],
      activation,
    },
  };
}

/**
 * The longest prefix of `plan` that runs natively, compiled as one oneDNN trunk, when the steps
 * after it read nothing of it but its last output; undefined otherwise or without oneDNN.
 */
function nativeTrunk(
  plan: readonly { name: string; reads?: string[]; native?: NativeStep }[],
  input: string,
  shapes: Map<string, [number, number, number]>,
  options: FoldOptions,
): { cnn: NativeCnn; steps: number; output: string; input: [number, number, number] } | undefined {
  const inputShape = shapes.get(input);
  let steps = 0;
  while (steps < plan.length && plan[steps]!.native) steps++;
  if (!inputShape || steps === 0) return undefined;
  const index = new Map<string, number>([[input, -1]]);
  const nodes: CnnNode[] = [];
  for (const [i, step] of plan.slice(0, steps).entries()) {
    const native = step.native!;
    if (native.op === 'conv') {
      const from = index.get(native.read);
      if (from === undefined) return undefined;
      nodes.push({ ...native.conv, input: from });
    } else {
      const [a, b] = native.reads.map((r) => index.get(r));
      if (a === undefined || b === undefined) return undefined;
      nodes.push({ op: 'add', inputs: [a, b] });
    }
    index.set(step.name, i);
  }
  const output = plan[steps - 1]!.name;
  const rest = plan.slice(steps).flatMap((step) => step.reads ?? []);
  if (rest.some((r) => r !== output && index.has(r))) return undefined;
  const cnn = createNativeCnn({ input: inputShape, nodes }, undefined, process.env, options);
  return cnn && { cnn, steps, output, input: inputShape };
}

const pair = (v: unknown): [number, number] =>
  Array.isArray(v) ? [Number(v[0]), Number(v[1])] : [Number(v), Number(v)];

/**
 * Builds the folded forward pass of `model` (a functional or sequential Keras model in
 * channels-last layout); `options` sets the native trunk's precision.
 *
 * @throws Error naming the first layer the folded path does not support.
 */
export function foldLayersModel(model: tf.LayersModel, options: FoldOptions = {}): FoldedModel {
  const infos = describe(model);
  const consumers = new Map<string, LayerInfo[]>();
  for (const info of infos) {
    for (const input of info.inputs) consumers.set(input, [...(consumers.get(input) ?? []), info]);
  }
  const only = (name: string): LayerInfo | undefined => {
    const list = consumers.get(name) ?? [];
    return list.length === 1 ? list[0] : undefined;
  };
  const kept: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => {
    kept.push(t);
    return t;
  };
  /** Layer names that are computed by an earlier step: name -> the step output they alias. */
  const alias = new Map<string, string>();
  const plan: { name: string; step: Step; reads?: string[]; native?: NativeStep }[] = [];
  /** Shapes `[h, w, c]` of one image's activations by layer name, for the native trunk. */
  const shapes = new Map<string, [number, number, number]>();
  /** Explicit padding of a 'valid' convolution that absorbed the ZeroPadding2D before it. */
  const padBefore = new Map<string, tf.backend_util.ExplicitPadding>();
  const inputName = model.inputs[0]!.name.replace(/:0$/, '');
  const inputShape = model.inputs[0]!.shape;
  if (inputShape.length === 4 && inputShape.slice(1).every((d) => typeof d === 'number')) {
    shapes.set(inputName, inputShape.slice(1) as [number, number, number]);
  }
  let inputLayer: string | undefined;

  for (const info of infos) {
    const name = info.layer.name;
    if (alias.has(name)) continue;
    if (!SUPPORTED.has(info.className)) {
      throw new Error(`foldLayersModel: layer ${name} (${info.className}) is not supported`);
    }
    const src = info.inputs.map((i) => alias.get(i) ?? i);
    const c = info.config;
    if (
      c.data_format !== undefined &&
      !['channels_last', 'channelsLast'].includes(c.data_format as string)
    ) {
      throw new Error(`foldLayersModel: layer ${name} is not channels_last`);
    }
    const before = plan.length;
    switch (info.className) {
      case 'InputLayer':
        inputLayer = name;
        break;
      case 'ZeroPadding2D': {
        const [[top, bottom], [left, right]] = c.padding as [[number, number], [number, number]];
        // Before a 'valid' convolution (MobileNetV2's stride-2 layers): the convolution pads
        // instead, reading zeros at the border, and the padded copy is never made.
        const next = only(name);
        if (
          (next?.className === 'Conv2D' || next?.className === 'DepthwiseConv2D') &&
          next.config.padding === 'valid'
        ) {
          alias.set(name, src[0]!);
          padBefore.set(next.layer.name, [
            [0, 0],
            [top, bottom],
            [left, right],
            [0, 0],
          ]);
          break;
        }
        const pad: [number, number][] = [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ];
        plan.push({ name, step: (read) => tf.pad(read(src[0]!), pad) });
        break;
      }
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        const depthwise = info.className === 'DepthwiseConv2D';
        const weights = info.layer.getWeights();
        let kernel = weights[0]!;
        const channels = depthwise ? kernel.shape[2]! * kernel.shape[3]! : kernel.shape[3]!;
        let bias: tf.Tensor1D | undefined =
          c.use_bias === false ? undefined : (weights[1] as tf.Tensor1D);
        let activation: Activation =
          c.activation === 'relu' ? 'relu' : c.activation === 'linear' ? 'linear' : 'linear';
        if (c.activation !== 'linear' && c.activation !== 'relu') {
          throw new Error(`foldLayersModel: ${name} activation ${String(c.activation)}`);
        }
        let out = name;
        const bn = activation === 'linear' ? only(name) : undefined;
        if (bn?.className === 'BatchNormalization' && Number(bn.config.axis ?? -1) === -1) {
          const { scale, shift } = batchNormAffine(bn);
          kernel = tf.tidy(() =>
            depthwise
              ? tf.mul(kernel, tf.reshape(scale, [1, 1, kernel.shape[2]!, kernel.shape[3]!]))
              : tf.mul(kernel, scale),
          );
          bias = tf.tidy(() =>
            bias ? tf.add<tf.Tensor1D>(tf.mul(bias, scale), shift) : shift.clone(),
          );
          scale.dispose();
          shift.dispose();
          alias.set(bn.layer.name, name);
          out = bn.layer.name;
        }
        const relu = only(out);
        const fused = relu ? reluActivation(relu) : null;
        if (fused !== null && activation === 'linear') {
          activation = fused;
          alias.set(relu!.layer.name, name);
        }
        const k = keep(kernel === weights[0] ? kernel.clone() : kernel) as tf.Tensor4D;
        const b = bias ? keep(bias === weights[1] ? bias.clone() : bias) : undefined;
        if (b && b.size !== channels) throw new Error(`foldLayersModel: ${name} bias size`);
        const strides = pair(c.strides);
        const dilations = pair(c.dilation_rate ?? 1);
        const padding = padBefore.get(name) ?? (c.padding as 'same' | 'valid');
        const native = nativeConv(
          shapes,
          src[0]!,
          name,
          k,
          b,
          strides,
          dilations,
          padding,
          activation,
          depthwise,
        );
        plan.push({
          native,
          name,
          step: (read) => {
            const args = {
              x: read(src[0]!) as tf.Tensor4D,
              filter: k,
              strides,
              pad: padding,
              dilations,
              ...(b ? { bias: b } : {}),
              activation,
            };
            // fused.depthwiseConv2d's typings omit explicit padding, which the op and the
            // kernels (conv info) take as conv2d's does; the folded-model test runs this path.
            return depthwise
              ? tf.fused.depthwiseConv2d({ ...args, pad: args.pad as 'same' | 'valid' })
              : tf.fused.conv2d(args);
          },
        });
        break;
      }
      case 'BatchNormalization': {
        // Not after a convolution: applied as its affine map.
        const { scale, shift } = batchNormAffine(info);
        keep(scale);
        keep(shift);
        plan.push({ name, step: (read) => tf.add(tf.mul(read(src[0]!), scale), shift) });
        break;
      }
      case 'ReLU':
      case 'Activation': {
        const act = reluActivation(info);
        if (act === null) throw new Error(`foldLayersModel: ${name} is not a ReLU or ReLU6`);
        plan.push({
          name,
          step: (read) => (act === 'relu6' ? tf.relu6(read(src[0]!)) : tf.relu(read(src[0]!))),
        });
        break;
      }
      case 'Add': {
        const [a, b] = src.map((r) => shapes.get(r));
        if (src.length === 2 && a && b && a.join() === b.join()) shapes.set(name, a);
        plan.push({
          native: shapes.has(name) ? { op: 'add', reads: [src[0]!, src[1]!] } : undefined,
          name,
          step: (read) => src.map(read).reduce((a, b) => tf.add(a, b)),
        });
        break;
      }
      case 'AveragePooling2D': {
        const size = pair(c.pool_size);
        const strides = pair(c.strides ?? c.pool_size);
        const padding = c.padding as 'same' | 'valid';
        plan.push({
          name,
          step: (read) => {
            const x = read(src[0]!) as tf.Tensor4D;
            // One window over the whole map (MobileNet's 7x7 head): a mean, which XNNPACK's
            // pooling refuses for some batch sizes.
            return x.shape[1] === size[0] && x.shape[2] === size[1] && padding === 'valid'
              ? tf.mean(x, [1, 2], true)
              : tf.avgPool(x, size, strides, padding);
          },
        });
        break;
      }
      case 'GlobalAveragePooling2D':
        plan.push({ name, step: (read) => tf.mean(read(src[0]!), [1, 2]) });
        break;
      case 'Flatten':
        plan.push({
          name,
          step: (read) => {
            const x = read(src[0]!);
            return tf.reshape(x, [x.shape[0], -1]);
          },
        });
        break;
      case 'Dropout':
        alias.set(name, src[0]!);
        break;
      case 'Dense': {
        const [kernel, bias] = info.layer.getWeights();
        const k = keep(kernel!.clone()) as tf.Tensor2D;
        const b = bias && c.use_bias !== false ? keep(bias.clone()) : undefined;
        const act = c.activation as string;
        if (!['linear', 'relu', 'softmax'].includes(act)) {
          throw new Error(`foldLayersModel: ${name} activation ${act}`);
        }
        plan.push({
          name,
          step: (read) => {
            const y = tf.fused.matMul({
              a: read(src[0]!),
              b: k,
              ...(b ? { bias: b } : {}),
              activation: act === 'relu' ? 'relu' : 'linear',
            });
            return act === 'softmax' ? tf.softmax(y) : y;
          },
        });
        break;
      }
    }
    for (let i = before; i < plan.length; i++) plan[i]!.reads = src;
  }
  if (inputLayer === undefined) inputLayer = inputName;
  if (!shapes.has(inputLayer) && shapes.has(inputName))
    shapes.set(inputLayer, shapes.get(inputName)!);
  // Free each activation after its last reader: a batch of 16 keeps ~2 layers' worth, not 150.
  const lastUse = new Map<string, number>();
  plan.forEach((p, i) => p.reads?.forEach((r) => lastUse.set(r, i)));
  const release = plan.map((p, i) =>
    [...new Set(p.reads ?? [])].filter((r) => lastUse.get(r) === i),
  );
  const outputLayer = model.outputs[0]!.sourceLayer.name;
  const output = alias.get(outputLayer) ?? outputLayer;
  const input = inputLayer;
  const trunk = nativeTrunk(plan, input, shapes, options);
  const start = trunk ? trunk.steps : 0;
  /**
   * The trunk's output for `n` NHWC images (only called when there is a trunk), in an array kept
   * from batch to batch: the tensor made from it is read within the same synchronous pass.
   */
  let trunkArray = new Float32Array(0);
  const trunkOutput = (pixels: Float32Array, n: number): tf.Tensor4D => {
    const [h, w, c] = trunk!.cnn.outputShape;
    if (trunkArray.length < n * h * w * c) trunkArray = new Float32Array(n * h * w * c);
    return tf.tensor4d(trunk!.cnn.run(pixels, n, trunkArray), [n, h, w, c]);
  };
  /** Runs the plan from step `first` on `from` (the input, or the trunk's output). */
  const runFrom = (first: number, from: tf.Tensor4D): tf.Tensor2D =>
    tf.tidy(() => {
      const values = new Map<string, tf.Tensor>([[first === 0 ? input : trunk!.output, from]]);
      const read = (n: string): tf.Tensor => {
        const v = values.get(alias.get(n) ?? n);
        if (!v) throw new Error(`foldLayersModel: ${n} read before it was computed`);
        return v;
      };
      for (let i = first; i < plan.length; i++) {
        values.set(plan[i]!.name, plan[i]!.step(read));
        for (const r of release[i]!) {
          if (r === input) continue;
          values.get(r)?.dispose();
          values.delete(r);
        }
      }
      return read(output) as tf.Tensor2D;
    });
  return {
    steps: plan.length,
    nativeSteps: start,
    precision: trunk?.cnn.precision,
    calibrate(pixels, shape, ranges) {
      if (trunk?.cnn.precision !== 'f32' || shape.slice(1).join() !== trunk.input.join()) {
        throw new Error('foldLayersModel: calibration needs an f32 native trunk of this shape');
      }
      return trunk.cnn.calibrate(pixels, shape[0], ranges);
    },
    predict(x) {
      const useTrunk = trunk !== undefined && x.shape.slice(1).join() === trunk.input.join();
      if (!useTrunk) return runFrom(0, x);
      return tf.tidy(() => runFrom(start, trunkOutput(x.dataSync() as Float32Array, x.shape[0])));
    },
    predictPixels(pixels, shape) {
      if (trunk === undefined || shape.slice(1).join() !== trunk.input.join()) {
        return tf.tidy(() => runFrom(0, tf.tensor4d(pixels, shape)));
      }
      // Straight from the caller's array into the trunk: no copy into and out of a tensor.
      return tf.tidy(() => runFrom(start, trunkOutput(pixels, shape[0])));
    },
    dispose() {
      for (const t of kept) t.dispose();
    },
  };
}
