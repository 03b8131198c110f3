// A real `artillery run` (this package's own artillery) of Push Lab virtual users against a
// real `push-lab serve` on port 0, read back from Artillery's JSON report. Run by the root's
// vitest (so `npm test` runs it); skipped, saying why, when this package's dependencies are
// not installed (`PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix packages/artillery-engine-push-lab`).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startCli } from '../../../test/helpers/cli';

const packageDir = path.resolve(import.meta.dirname, '..');
const artillery = path.join(packageDir, 'node_modules', '.bin', 'artillery');
const installed = existsSync(artillery);
if (!installed)
  console.warn(
    `artillery-engine-push-lab: tests skipped, ${artillery} is missing; install with PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix packages/artillery-engine-push-lab`,
  );

/** A whole `artillery run` (its start-up alone takes seconds here). */
const RUN_TIMEOUT_MS = 150_000;

/**
 * Runs `artillery run --output report.json script` in its own process group (killed whole
 * on timeout), the engine found through NODE_PATH as the README says; resolves with the
 * report's aggregate.
 */
async function artilleryRun(dir, script, { exitCode = 0 } = {}) {
  const file = path.join(dir, `fleet-${Date.now()}.yml`);
  const report = `${file}.json`;
  await writeFile(file, stringify(script));
  const child = spawn(artillery, ['run', '--output', report, file], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_PATH: path.dirname(packageDir),
      ARTILLERY_DISABLE_TELEMETRY: 'true',
    },
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const code = await new Promise((resolve) => {
    const timer = setTimeout(() => process.kill(-child.pid, 'SIGKILL'), RUN_TIMEOUT_MS - 5000);
    child.on('exit', (status, signal) => {
      clearTimeout(timer);
      resolve(status ?? signal);
    });
  });
  try {
    process.kill(-child.pid, 'SIGKILL'); // anything it left behind
  } catch {
    // the group is gone already
  }
  expect(code, output).toBe(exitCode);
  const { aggregate } = JSON.parse(await readFile(report, 'utf8'));
  return { counters: aggregate.counters, summaries: aggregate.summaries, output };
}

describe.skipIf(!installed)('artillery-engine-push-lab under a real artillery run', () => {
  let serve;
  let target;
  let dir;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'push-lab-artillery-'));
    serve = startCli(['serve', '--h2c', '--port', '0', '--data', dir]);
    target = (await serve.waitFor(/^http:\/\/127\.0\.0\.1:\d+$/)).trim();
  });

  afterAll(async () => {
    await serve?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(
    'delivers every accepted message to 20 VUs and reports it through Artillery',
    async () => {
      const { counters, summaries } = await artilleryRun(dir, {
        config: {
          target,
          phases: [{ duration: 2, arrivalRate: 10 }],
          engines: {
            'push-lab': {
              seed: 7,
              link: { faults: [{ type: 'latency', attributes: { latency: 10, jitter: 5 } }] },
            },
          },
        },
        scenarios: [
          {
            name: 'self',
            engine: 'push-lab',
            flow: [
              { subscribe: {} },
              { send: { to: 'self', count: 3, bytes: 200 } },
              { receive: { count: 3, timeoutMs: 10_000 } },
              { send: { to: 'pool', count: 1 } },
            ],
          },
        ],
      });
      expect(counters['vusers.created']).toBe(20);
      expect(counters['vusers.failed']).toBe(0);
      expect(counters['push.subscribed']).toBe(20);
      expect(counters['push.accepted']).toBe(80);
      expect(counters['push.delivered']).toBe(counters['push.accepted']);
      expect(counters['push.lost'] ?? 0).toBe(0);
      expect(counters['push.receive.timeouts'] ?? 0).toBe(0);
      expect(summaries['push.latency'].count).toBe(80);
      expect(summaries['push.latency'].min).toBeGreaterThanOrEqual(0);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'counts retries and losses through a link outage, and the run still ends',
    async () => {
      const { counters } = await artilleryRun(dir, {
        config: {
          target,
          phases: [{ duration: 1, arrivalRate: 5 }],
          engines: {
            'push-lab': {
              seed: 8,
              deliveryWaitMs: 4000,
              reconnect: { initialMs: 300, maxMs: 1000, jitter: 0.2 },
              link: {
                faults: [
                  {
                    type: 'outage',
                    attributes: { mode: 'reset' },
                    schedule: { kind: 'timeline', windows: [{ fromMs: 700, toMs: 2200 }] },
                  },
                ],
              },
            },
          },
        },
        scenarios: [
          {
            engine: 'push-lab',
            flow: [{ subscribe: {} }, { send: { to: 'self', count: 8, intervalMs: 250 } }],
          },
        ],
      });
      const sent = 5 * 8;
      const accepted = counters['push.accepted'] ?? 0;
      const refused = Object.entries(counters)
        .filter(([name]) => name.startsWith('push.errors.'))
        .reduce((sum, [, n]) => sum + n, 0);
      expect(counters['vusers.created']).toBe(5);
      expect(counters['push.retries']).toBeGreaterThan(0);
      expect(accepted + refused).toBe(sent);
      expect((counters['push.delivered'] ?? 0) + (counters['push.lost'] ?? 0)).toBe(accepted);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "fails every VU of a bad flow with the engine's code and says why in one sentence",
    async () => {
      const { counters, output } = await artilleryRun(dir, {
        config: {
          target,
          phases: [{ duration: 1, arrivalCount: 2 }],
          engines: { 'push-lab': {} },
        },
        scenarios: [{ engine: 'push-lab', flow: [{ subscribe: {} }, { send: { count: 0 } }] }],
      });
      expect(counters['vusers.failed']).toBe(2);
      expect(counters['errors.ERR_FLEET_BAD_SCRIPT']).toBe(2);
      expect(counters['push.subscribed'] ?? 0).toBe(0);
      expect(output).toMatch(/^artillery-engine-push-lab: flow\.1\.send\.count: got 0; .*$/m);
    },
    RUN_TIMEOUT_MS,
  );
});
