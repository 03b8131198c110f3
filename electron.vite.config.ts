import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';
import { thirdPartyLicenses } from './scripts/licenses.mjs';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/electron/index.ts'),
          // The engine's worker thread (engine/parallel/worker-url.ts finds it by this name).
          'parallel-worker': resolve(__dirname, 'src/main/engine/parallel/worker.ts'),
        },
        // Shared chunks beside the entries, so `new URL(file, import.meta.url)` from any of
        // them finds the worker entry.
        output: { chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        // Sandboxed preloads must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
    // The About dialog's list, and third-party-licenses.txt shipped beside index.html.
    plugins: [react(), thirdPartyLicenses()],
  },
});
