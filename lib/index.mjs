// `import { startPushService } from 'push-lab'`. The engine is TypeScript run through tsx, as
// bin/push-lab.mjs runs the CLI: tsImport compiles it on the fly in its own namespace, so
// this works from any ESM test runner under plain node (vitest, jest with ESM, mocha) without
// the caller registering a loader or building anything.
import { tsImport } from 'tsx/esm/api';

const api = await tsImport('../src/main/engine/serve/index.ts', import.meta.url);

export const { startPushService, NEXT_MESSAGE_DEFAULT_WAIT_MS, ServeError, SERVE_ERROR_CODES } =
  api;
