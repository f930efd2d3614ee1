/**
 * Identity for wasm without a copy.
 *
 * Trick: TF.js clones (Identity) every tensor it saves for the backward pass; the stock wasm
 * kernel copies the data each time (hundreds of copies per DCGAN step). Tensor data is immutable
 * and the wasm backend reference-counts it (its Reshape already shares data this way), so the
 * clone can share the input's data, as the cpu and webgl backends do.
 */
import { cast, engine, getKernel, Identity } from '@tensorflow/tfjs';
import type {
  KernelConfig,
  KernelFunc,
  NamedAttrMap,
  NamedTensorMap,
  Tensor,
  TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { WASM } from './kernel-utils.js';

function identityShared(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === 'string') return stock(args);
    (args.backend as BackendWasm).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
}

/** Registry entry wrapping the stock wasm Identity (kept for strings). */
export function identityConfig(stock: KernelFunc): KernelConfig {
  return { kernelName: Identity, backendName: WASM, kernelFunc: identityShared(stock) };
}

/** The parts of TF.js's engine the fast clone uses (internal, untyped in its public typings). */
interface EngineInternals {
  backendName: string;
  backend: BackendWasm;
  state: { activeScope: { name: string } };
  clone(x: Tensor): Tensor;
  makeTensorFromTensorInfo(info: TensorInfo, backend?: BackendWasm): Tensor;
  addTapeNode(
    kernelName: string,
    inputs: NamedTensorMap,
    outputs: Tensor[],
    gradientsFunc: (dy: Tensor) => Record<string, () => Tensor>,
    saved: Tensor[],
    attrs: NamedAttrMap,
  ): void;
}

let fastCloneInstalled = false;

/**
 * Makes the engine's clones of saved tensors (`Engine.clone`, called for every tensor a gradient
 * keeps) share their data directly on wasm, without dispatching an `Identity` kernel. Idempotent.
 *
 * Why: the clone's result is exactly the shared Identity kernel's (one more reference to the same
 * data), but a kernel dispatch costs TF.js's fixed per-kernel work (kernel lookup, scopes,
 * profiler and memory bookkeeping), and an MLP GAN step makes 140 such clones. The tape node the
 * stock clone adds (gradient: dy cast to float32) is kept, so second-order gradients still flow
 * through saved tensors. Elsewhere (other backends, string tensors, stock Identity restored)
 * the stock clone runs.
 */
export function installFastSavedTensorClones(): void {
  if (fastCloneInstalled) return;
  fastCloneInstalled = true;
  const e = engine() as unknown as EngineInternals;
  const stockClone = e.clone.bind(e);
  const ours = getKernel(Identity, WASM);
  const gradient = (dy: Tensor): Record<string, () => Tensor> => ({
    x: () => cast(dy, 'float32'),
  });
  e.clone = (x: Tensor): Tensor => {
    if (x.dtype === 'string' || e.backendName !== WASM || getKernel(Identity, WASM) !== ours) {
      return stockClone(x);
    }
    const backend = e.backend;
    backend.incRef(x.dataId);
    const y = e.makeTensorFromTensorInfo(
      { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype },
      backend,
    );
    e.addTapeNode(e.state.activeScope.name, { x }, [y], gradient, [], {});
    return y;
  };
}
