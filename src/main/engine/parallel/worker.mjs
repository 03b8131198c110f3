// The engine's worker when it runs from source: worker.ts is TypeScript, which node does not
// load by itself, so it goes through tsx's tsImport as bin/push-lab.mjs does (worker-url.ts).
import { tsImport } from 'tsx/esm/api';

await tsImport('./worker.ts', import.meta.url);
