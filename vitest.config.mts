import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/unit/**/*.test.ts',
      'test/interop/**/*.test.ts',
      // Engine packages' own tests (each skips, saying why, without its own node_modules).
      'packages/*/test/**/*.test.mjs',
    ],
    exclude: ['**/node_modules/**'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
