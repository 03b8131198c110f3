import { defineConfig } from 'vitest/config';
import { thirdPartyLicenses } from './scripts/licenses.mjs';

export default defineConfig({
  // The renderer's About dialog imports the licenses list the build makes (scripts/licenses.mjs).
  plugins: [thirdPartyLicenses()],
  test: {
    include: ['test/unit/**/*.test.ts', 'test/interop/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
