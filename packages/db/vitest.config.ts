import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The tests mostly wait on PostgreSQL and SQLite I/O: overlap files beyond the core count.
    maxWorkers: 4,
    env: { CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
    // Migrations, scrypt hashing and the matcher's image hashing take seconds on a busy 2-core
    // machine (a bank test passed 30 s at load 20).
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
