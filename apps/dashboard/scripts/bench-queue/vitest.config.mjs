// Vitest configuration of the queue benchmark (scripts/bench-queue.mjs): the dashboard's aliases,
// one file, no timeouts that a large seed would hit.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: {
      '~': fileURLToPath(new URL('../../src', import.meta.url)),
      'server-only': fileURLToPath(new URL('../../test/support/empty.ts', import.meta.url)),
    },
  },
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['scripts/bench-queue/run.ts'],
    testTimeout: 0,
    hookTimeout: 0,
  },
});
