import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/index.js';

async function tfjsNodeWorks(): Promise<boolean> {
  const specifier = '@tensorflow/tfjs-node';
  try {
    await import(specifier);
    return true;
  } catch {
    return false;
  }
}

describe('initBackend without a forced backend', () => {
  it('takes the fastest working backend and says why', async () => {
    const info = await initBackend({ env: {}, logger: null });
    expect(tf.getBackend()).toBe(info.name);
    if (await tfjsNodeWorks()) {
      expect(info).toMatchObject({ name: 'tensorflow', reason: 'fastest available' });
    } else {
      // This machine cannot download libtensorflow: wasm, with tfjs-node's failure as the reason.
      expect(info.name).toBe('wasm');
      expect(info.reason).toMatch(/^tensorflow unavailable \(.+\)$/);
      expect(info.threads).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('forcing tfjs-node where it cannot load', () => {
  it('is an error naming the backend, not a silent fallback', async ({ skip }) => {
    if (await tfjsNodeWorks()) skip();
    // A fresh module instance: the one above already settled on a backend.
    const { vi } = await import('vitest');
    vi.resetModules();
    const fresh = await import('../src/backend/index.js');
    await expect(fresh.initBackend({ backend: 'tensorflow', logger: null })).rejects.toThrow(
      /backend 'tensorflow' \(forced by option\) failed: /,
    );
  });
});
