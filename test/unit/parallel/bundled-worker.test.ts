/**
 * The Electron bundle's worker entry (out/main/parallel-worker.js, electron.vite.config.ts)
 * runs the engine's tasks under plain node, as Electron's main process runs it. Needs
 * `npm run build` first (npm test builds after the unit tests): skipped, saying so, without it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WorkerPool } from '../../../src/main/engine/parallel/pool';
import type { EngineTasks } from '../../../src/main/engine/parallel/tasks';
import { BUNDLED_WORKER_FILE } from '../../../src/main/engine/parallel/worker-url';
import { loadScenario } from '../../../src/main/engine/scenario/load';
import { repoRoot } from '../../helpers/cli';

const bundled = path.join(repoRoot, 'out', 'main', BUNDLED_WORKER_FILE);

describe('the bundled worker entry', () => {
  it.skipIf(!existsSync(bundled))(
    'runs a scenario and a comparison profile (skipped before `npm run build`)',
    async () => {
      const loaded = await loadScenario(path.join(repoRoot, 'resources/scenarios/smoke.yaml'));
      if (!loaded.ok) throw new Error(loaded.problems.join('; '));
      const scenario = { ...loaded.scenario, duration: 10_000 };
      const pool = new WorkerPool<EngineTasks>({ workerUrl: pathToFileURL(bundled), workers: 1 });
      try {
        const verdict = await pool.run('scenario.run', { scenario, withReport: false });
        expect(verdict.eventCount).toBeGreaterThan(0);
        expect(verdict.check.violationCount).toBe(0);
        const row = await pool.run('compare.profile', {
          scenario,
          profile: 'rfc8030',
          settings: { seed: scenario.seed, durationMs: 10_000, bucketMs: 1_000 },
        });
        expect(row.accepted).toBeGreaterThan(0);
      } finally {
        await pool.close();
      }
    },
    60_000,
  );
});
