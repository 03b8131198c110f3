/** The engine's worker script is found from source (tsx) and in the Electron bundle alike. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUNDLED_WORKER_FILE, engineWorkerUrl } from '../../../src/main/engine/parallel/worker-url';
import { repoRoot } from '../../helpers/cli';

describe('engine worker url', () => {
  it('is worker.mjs beside the module from source, with or without a loader query', () => {
    expect(engineWorkerUrl().href).toMatch(/\/src\/main\/engine\/parallel\/worker\.mjs$/);
    expect(engineWorkerUrl('file:///x/parallel/worker-url.ts?tsx-namespace=1').href).toBe(
      'file:///x/parallel/worker.mjs',
    );
  });

  it("is the bundle's worker entry beside whichever chunk holds it", () => {
    expect(engineWorkerUrl('file:///app/out/main/compare-Bx1.js').href).toBe(
      `file:///app/out/main/${BUNDLED_WORKER_FILE}`,
    );
    // electron.vite.config.ts names the entry so, and keeps chunks beside the entries.
    const config = readFileSync(`${repoRoot}/electron.vite.config.ts`, 'utf8');
    expect(config).toContain(`'${BUNDLED_WORKER_FILE.replace(/\.js$/, '')}': resolve(`);
    expect(config).toContain("chunkFileNames: '[name]-[hash].js'");
  });
});
