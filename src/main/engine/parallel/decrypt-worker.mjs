// The decryption worker when the engine runs from source: decrypt-worker.ts goes through tsx's
// tsImport, as worker.mjs does for the engine's worker (worker-url.ts).
import { tsImport } from 'tsx/esm/api';

await tsImport('./decrypt-worker.ts', import.meta.url);
