/**
 * Where the engine's worker script is. From source (tsx: the CLI, the package entry, the
 * tests) this module is a `.ts` file and the worker is `worker.mjs` beside it, which loads
 * worker.ts through tsx as bin/push-lab.mjs loads the CLI. In the Electron bundle
 * (electron.vite.config.ts) the worker is its own entry, `parallel-worker.js`, written beside
 * the main bundle's chunks.
 */
/** The bundle's file name of the worker entry (electron.vite.config.ts names it so). */
export const BUNDLED_WORKER_FILE = 'parallel-worker.js';
const SOURCE_WORKER_FILE = 'worker.mjs';

export function engineWorkerUrl(moduleUrl: string = import.meta.url): URL {
  // A variable, not a literal: bundlers rewrite `new URL('literal', import.meta.url)`.
  const fromSource = /\.ts(\?|#|$)/.test(moduleUrl);
  const file = fromSource ? SOURCE_WORKER_FILE : BUNDLED_WORKER_FILE;
  return new URL(file, moduleUrl);
}
