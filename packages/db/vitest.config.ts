import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The tests mostly wait on PostgreSQL and SQLite I/O: overlap files beyond the core count.
    maxWorkers: 4,
    // Files share a worker's module graph instead of re-importing Prisma's clients per file: half
    // the CPU (140 -> 70 s on a quiet 2-core machine). Each file makes its own databases.
    isolate: false,
    env: { CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
    // Migrations, scrypt hashing and the matcher's image hashing take seconds on a busy 2-core
    // machine (a bank test passed 30 s at load 20).
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
