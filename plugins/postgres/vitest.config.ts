import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    // Every test file talks to the one server; running them one at a time keeps
    // pg_terminate_backend tests from hitting another file's sessions.
    fileParallelism: false,
  },
});
