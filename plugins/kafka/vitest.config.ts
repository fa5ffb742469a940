import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Real broker, real worker threads and child processes on a loaded machine: generous bounds.
    testTimeout: 180_000,
    hookTimeout: 300_000,
    // One file at a time: the files share one broker and the machine has few cores.
    fileParallelism: false,
  },
});
