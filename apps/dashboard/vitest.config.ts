import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: {
      '~': fileURLToPath(new URL('./src', import.meta.url)),
      // Next resolves `server-only` to an empty module on the server; tests are the server.
      'server-only': fileURLToPath(new URL('./test/support/empty.ts', import.meta.url)),
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['e2e/**', 'node_modules/**'],
    testTimeout: 90_000,
    hookTimeout: 90_000,
    fileParallelism: false,
    // Files share one module graph instead of re-importing the server code per file: 254 -> 162 s
    // of CPU on a quiet 2-core machine, all files passing. Servers the tests start are their own
    // processes either way.
    isolate: false,
  },
});
