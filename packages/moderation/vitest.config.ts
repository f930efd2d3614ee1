import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // First use of a model (spam corpus training, NSFW weights) takes seconds on 2 shared cores.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
