/**
 * Helpers shared by the project's wasm kernels: they run inside a kernel function, where the
 * public ops (`tf.conv2d`, ...) must not be used (that would re-enter the engine and record
 * gradients), so they call the backend's stock kernel functions directly on `TensorInfo`s.
 */
import { engine, getKernel } from '@tensorflow/tfjs';
import type {
  DataType,
  KernelFunc,
  NamedAttrMap,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The backend name the kernels are registered for. */
export const WASM = 'wasm';

/** Looks up a kernel function registered for wasm, failing loudly when it is missing. */
export function wasmKernelFunc(kernelName: string): KernelFunc {
  const config = getKernel(kernelName, WASM);
  if (config === undefined) {
    throw new Error(`gan-core: wasm kernel '${kernelName}' is not registered`);
  }
  return config.kernelFunc;
}

/** True when the active backend has the kernel `name` (the custom ones exist on wasm only). */
export function hasKernel(name: string): boolean {
  return engine().backendName === WASM && getKernel(name, WASM) !== undefined;
}

/** A float32 tensor's data as a view of the wasm heap (no copy; valid until the heap grows). */
export function heapFloats(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/**
 * Runs kernels on one backend and frees every intermediate result at the end, so a kernel
 * built from several stock kernels leaks nothing even when one of them throws.
 */
export class KernelScope {
  private readonly temps: TensorInfo[] = [];

  constructor(readonly backend: BackendWasm) {}

  /** Runs `kernelName` (or a kernel function) and tracks its output as a temporary. */
  run(
    kernel: string | KernelFunc,
    inputs: NamedTensorInfoMap,
    attrs: NamedAttrMap = {},
  ): TensorInfo {
    const func = typeof kernel === 'string' ? wasmKernelFunc(kernel) : kernel;
    const out = func({ inputs, attrs, backend: this.backend });
    if (Array.isArray(out)) {
      throw new Error('gan-core: expected a kernel with one output');
    }
    this.temps.push(out);
    return out;
  }

  /** Uploads values computed in JS as a temporary tensor on the backend. */
  upload(values: Float32Array, shape: number[], dtype: DataType = 'float32'): TensorInfo {
    const dataId = this.backend.write(values, shape, dtype);
    const info: TensorInfo = { dataId, shape, dtype };
    this.temps.push(info);
    return info;
  }

  /** Reads a tensor's values (a copy of the wasm heap). */
  read(info: TensorInfo): Float32Array {
    return this.backend.readSync(info.dataId) as Float32Array;
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  /** Crops `x` to `size` from the origin; a no-op (no copy) when the shape already fits. */
  cropTo(x: TensorInfo, size: number[]): TensorInfo {
    if (size.every((d, i) => d === x.shape[i])) return x;
    return this.run('Slice', { x }, { begin: size.map(() => 0), size });
  }

  /**
   * Hands `result` to the caller (it is not freed) and frees every other temporary.
   * A result that aliases an input or a temporary (Reshape shares data) stays valid: the wasm
   * backend reference-counts data.
   */
  finish(result: TensorInfo): TensorInfo {
    for (const t of this.temps) {
      if (t !== result) this.backend.disposeData(t.dataId);
    }
    this.temps.length = 0;
    return result;
  }

  /** Frees every temporary (error path). */
  disposeAll(): void {
    for (const t of this.temps) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
  }
}

/** Runs `body` in a {@link KernelScope}, returning its result and freeing everything else. */
export function withScope(backend: unknown, body: (scope: KernelScope) => TensorInfo): TensorInfo {
  const scope = new KernelScope(backend as BackendWasm);
  try {
    return scope.finish(body(scope));
  } catch (error) {
    scope.disposeAll();
    throw error;
  }
}
