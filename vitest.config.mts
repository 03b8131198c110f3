import { defineConfig } from 'vitest/config';
import { thirdPartyLicenses } from './scripts/licenses.mjs';

export default defineConfig({
  // The renderer's About dialog imports the licenses list the build makes (scripts/licenses.mjs).
  plugins: [thirdPartyLicenses()],
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
