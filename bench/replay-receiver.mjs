// bench:replay's receiver when it runs from source: replay-receiver.ts is TypeScript, which a
// worker does not load by itself, so it goes through tsx's tsImport (as the engine's own
// worker does: src/main/engine/parallel/worker.mjs).
import { tsImport } from 'tsx/esm/api';

await tsImport('./replay-receiver.ts', import.meta.url);
