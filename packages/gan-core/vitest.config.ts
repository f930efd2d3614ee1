import { defineConfig } from 'vitest/config';

// Kernel and training tests do real work on two shared cores: vitest's 5 s default timed them out
// on a loaded machine (load average 17) where they pass in well under a second when idle.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
