import { defineConfig } from 'vitest/config';

// Kernel and training tests do real work on two shared cores: vitest's 5 s default timed them out
// on a loaded machine (load average 17) where they pass in well under a second when idle.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    // Two files at a time (vitest's default is one fewer than the cores: one, on 2 cores). In CI
    // this lane runs niced and finishes last, alone: one worker left a core idle for minutes.
    maxWorkers: 2,
    hookTimeout: 60_000,
  },
});
