/**
 * Locates the tfjs-backend-wasm binaries inside node_modules, so the backend loads them from disk
 * wherever the package manager put them (pnpm's store, hoisted, nested).
 */
import { createRequire } from 'node:module';

const WASM_BINARIES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
] as const;

/** File map for `setWasmPaths`: each binary's absolute path, resolved from this package. */
export function wasmBinaryPaths(): Record<(typeof WASM_BINARIES)[number], string> {
  const require = createRequire(import.meta.url);
  const entries = WASM_BINARIES.map(
    (name) => [name, require.resolve(`@tensorflow/tfjs-backend-wasm/dist/${name}`)] as const,
  );
  return Object.fromEntries(entries) as Record<(typeof WASM_BINARIES)[number], string>;
}
