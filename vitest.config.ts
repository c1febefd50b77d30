import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generous: property tests take seconds alone, many times that on a busy 2-core machine.
    testTimeout: 120_000,
    pool: 'threads',
  },
});
