import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // The tests mostly wait on the CLI and worker processes they spawn: three files at a time.
    // (Vitest's default is one fewer than the cores: one at a time on 2 cores, 400 s of the suite's
    // wall time alone on a quiet machine against 209 s with three.)
    maxWorkers: 3,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
