import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // MNIST and emoji loads take a few seconds on a busy 2-core machine.
    testTimeout: 60_000,
  },
});
