import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // Files share a worker's module graph: half the CPU (30 -> 16 s on a quiet 2-core machine).
    isolate: false,
    // MNIST and emoji loads take a few seconds on a busy 2-core machine (a beforeAll loading the
    // emoji set passed vitest's 10 s hook default at load 13).
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
