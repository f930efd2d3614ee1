import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  BACKEND_ENV,
  initBackend,
  loadNativeAddon,
  parseBackendName,
  WASM_KERNEL_NAMES,
} from '../src/backend/index.js';

describe('parseBackendName', () => {
  it('accepts the known names, case-insensitively', () => {
    expect(parseBackendName('wasm', 'test')).toBe('wasm');
    expect(parseBackendName(' CPU ', 'test')).toBe('cpu');
    expect(parseBackendName('tensorflow', 'test')).toBe('tensorflow');
  });

  it('rejects an unknown name listing the allowed ones', () => {
    expect(() => parseBackendName('webgl', BACKEND_ENV)).toThrow(
      /GANMOD_BACKEND: unknown backend 'webgl'; allowed: tensorflow, wasm, cpu/,
    );
  });
});

// The module keeps one backend per process: these tests run in order.
describe('initBackend', () => {
  it('fails clearly on an unknown GANMOD_BACKEND, and can be retried', async () => {
    await expect(initBackend({ env: { [BACKEND_ENV]: 'gpu' }, logger: null })).rejects.toThrow(
      /unknown backend 'gpu'; allowed: tensorflow, wasm, cpu/,
    );
  });

  it('honours GANMOD_BACKEND, logs one line and registers the wasm kernels', async () => {
    const lines: string[] = [];
    const info = await initBackend({
      env: { [BACKEND_ENV]: 'wasm' },
      logger: (line) => lines.push(line),
    });
    expect(info).toMatchObject({ name: 'wasm', reason: `forced by ${BACKEND_ENV}=wasm` });
    // With the native addon, OpenBLAS's threads compute the heavy kernels; without, wasm's one.
    const native = loadNativeAddon();
    const onednn = native.module?.onednn?.();
    expect(info.nativeKernels).toEqual(
      native.module !== undefined
        ? { active: true, ...(onednn === undefined ? {} : { onednn }) }
        : { active: false, reason: native.error },
    );
    expect(info.threads).toBe(native.module?.getThreads() ?? 1);
    expect(lines[0]).toContain(
      native.module !== undefined ? 'native OpenBLAS kernels' : 'wasm kernels only',
    );
    // The line says when oneDNN serves the convolutions and products, and only then.
    expect(lines[0]?.includes('convolutions and products on oneDNN')).toBe(onednn === true);
    expect(tf.getBackend()).toBe('wasm');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("'wasm'");
    // Conv2DBackpropFilter has no stock wasm kernel: it exists only if ours was registered.
    for (const name of WASM_KERNEL_NAMES) expect(tf.getKernel(name, 'wasm')).toBeDefined();
  });

  it('is idempotent: a second call returns the same result without logging', async () => {
    const first = await initBackend({ logger: null });
    const lines: string[] = [];
    const second = await initBackend({ logger: (line) => lines.push(line) });
    expect(second).toBe(first);
    expect(lines).toEqual([]);
  });

  it('refuses to switch to another backend once initialised', async () => {
    await expect(initBackend({ backend: 'cpu', logger: null })).rejects.toThrow(
      /already initialised as 'wasm'/,
    );
  });
});
