// `import { Fleet } from 'push-lab/fleet'`: the fleet engine for outside load tools (the
// Artillery engine in packages/artillery-engine-push-lab), loaded from TypeScript source
// through tsx as lib/index.mjs loads the push service.
import { tsImport } from 'tsx/esm/api';

const api = await tsImport('../src/main/engine/fleet/index.ts', import.meta.url);

export const { Fleet, FleetError, FLEET_ERROR_CODES, FLEET_METRICS, FLEET_DEFAULTS, errorMetric } =
  api;
