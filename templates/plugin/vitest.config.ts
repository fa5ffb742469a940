import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // The compliance suite starts real worker threads; give it room on a slow CI machine.
    testTimeout: 30_000,
  },
});
