import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // The tests mostly wait on the CLI and worker processes they spawn: three files at a time
    // (vitest's default, one fewer than the cores, ran them one at a time on 2 cores). Measured on
    // a quiet 2-core machine: 209 s wall, 400 s of CPU.
    maxWorkers: 3,
    // Bounds against hangs, not speed checks: on a slow 2-core machine (2026-12-07) the SIGKILL
    // resume test took 101 s and then 120.5 s in CI's niced lane, past the old 120 s.
    testTimeout: 300_000,
    // Set-ups that start processes or load the detectors run niced beside the browser lane in CI
    // (scripts/test-lanes.mjs): one outlasted a 60 s bound there. What they check is not speed.
    hookTimeout: 300_000,
  },
});
