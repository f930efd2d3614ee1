/**
 * Identity for wasm without a copy.
 *
 * Trick: TF.js clones (Identity) every tensor it saves for the backward pass; the stock wasm
 * kernel copies the data each time (hundreds of copies per DCGAN step). Tensor data is immutable
 * and the wasm backend reference-counts it (its Reshape already shares data this way), so the
 * clone can share the input's data, as the cpu and webgl backends do.
 */
import { Identity } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
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
