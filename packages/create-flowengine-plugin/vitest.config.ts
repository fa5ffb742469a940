import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/template.setup.ts'],
    // The template and pack tests install packages and run tsc/vitest in child processes.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Each of those runs child npm/tsc processes; running files in parallel on 2 cores only thrashes.
    fileParallelism: false,
  },
});
