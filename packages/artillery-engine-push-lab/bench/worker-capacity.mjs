#!/usr/bin/env node
// What one Artillery worker holds on this machine, for the capacity model (issue 15): RSS per
// VU (the peak RSS of `artillery run` with N VUs holding their GET, less that with a few, per
// VU added) and messages a second (VUs sending to themselves as fast as their window allows),
// against a real `push-lab serve --h2c`. Runs alternate and repeat; medians are printed.
//
//   node packages/artillery-engine-push-lab/bench/worker-capacity.mjs [--runs 2] [--vus 2000]
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { loadavg, tmpdir } from 'node:os';
import { stringify } from 'yaml';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '2' },
    vus: { type: 'string', default: '2000' },
    'few-vus': { type: 'string', default: '100' },
    'send-vus': { type: 'string', default: '100' },
    'sends-per-vu': { type: 'string', default: '100' },
  },
});
const RUNS = Number(values.runs);
const VUS = Number(values.vus);
const FEW = Number(values['few-vus']);
const SEND_VUS = Number(values['send-vus']);
const SENDS = Number(values['sends-per-vu']);

const packageDir = path.resolve(import.meta.dirname, '..');
const repoRoot = path.resolve(packageDir, '..', '..');
const artillery = path.join(packageDir, 'node_modules', '.bin', 'artillery');
const dir = await mkdtemp(path.join(tmpdir(), 'push-lab-capacity-'));

/** push-lab serve on a free port, its output drained (it prints an event per line). */
async function startServe() {
  const child = spawn(
    process.execPath,
    // One address holds the whole fleet: lift serve's per-address bounds (256 connections,
    // 100 subscribes a second) that protect it from a single misbehaving client.
    [
      path.join(repoRoot, 'bin', 'push-lab.mjs'),
      'serve',
      '--h2c',
      '--port',
      '0',
      '--data',
      dir,
      '--connections-per-address',
      '0',
      '--subscribe-rate',
      '0',
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  child.on('exit', (code, signal) => {
    if (!stopping) console.error(`push-lab serve ended (${code ?? signal}): ${stderr}`);
  });
  let stopping = false;
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    lines.on('line', (line) => {
      if (/^http:\/\/127\.0\.0\.1:\d+$/.test(line)) resolve(line);
    });
    child.on('exit', (code) => reject(new Error(`push-lab serve exited with ${code}`)));
  });
  return {
    url,
    stop: () => {
      stopping = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // it ended by itself (said above)
      }
    },
  };
}

/** Summed RSS (bytes) of a process group. */
function groupRss(pgid) {
  try {
    const out = execFileSync('ps', ['-o', 'rss=', '-g', String(pgid)], { encoding: 'utf8' });
    return out
      .split('\n')
      .filter(Boolean)
      .reduce((sum, kb) => sum + Number(kb) * 1024, 0);
  } catch {
    return 0;
  }
}

/** One `artillery run` (one worker: WORKERS=1); its report's aggregate and its peak RSS. */
async function run(name, script) {
  const file = path.join(dir, `${name}.yml`);
  const report = `${file}.json`;
  await writeFile(file, stringify(script));
  const child = spawn(artillery, ['run', '--output', report, file], {
    detached: true,
    stdio: 'ignore',
    env: {
      ...process.env,
      NODE_PATH: path.dirname(packageDir),
      WORKERS: '1',
      ARTILLERY_DISABLE_TELEMETRY: 'true',
    },
  });
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, groupRss(child.pid))), 250);
  const code = await new Promise((resolve) => child.on('exit', resolve));
  clearInterval(sampler);
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // gone
  }
  if (code !== 0) throw new Error(`artillery run ${name} exited with ${code}`);
  const { aggregate } = JSON.parse(await readFile(report, 'utf8'));
  return { peakRss, aggregate };
}

function holdScript(target, vus) {
  const arrivalSeconds = Math.max(1, Math.ceil(vus / 200));
  return {
    config: {
      target,
      phases: [{ duration: arrivalSeconds, arrivalCount: vus }],
      engines: { 'push-lab': { seed: 1 } },
    },
    // Each holds past the last arrival, so the peak has every VU subscribed at once.
    scenarios: [{ engine: 'push-lab', flow: [{ subscribe: {} }, { think: arrivalSeconds + 8 }] }],
  };
}

function sendScript(target) {
  return {
    config: {
      target,
      phases: [{ duration: 1, arrivalCount: SEND_VUS }],
      engines: { 'push-lab': { seed: 2 } },
    },
    scenarios: [
      {
        engine: 'push-lab',
        flow: [{ subscribe: {} }, { send: { to: 'self', count: SENDS, bytes: 64 } }],
      },
    ],
  };
}

/**
 * The baseline, in this process on the same service: the same sends through Push Lab's fleet
 * engine without Artillery (what Artillery's worker costs is the ratio).
 */
async function inProcess(target) {
  const { Fleet } = await import(pathToFileURL(path.join(repoRoot, 'lib', 'fleet.mjs')).href);
  const fleet = await Fleet.start(target, { seed: 2 });
  let delivered = 0;
  const sink = {
    counter: (name, n) => (delivered += name === 'push.delivered' ? n : 0),
    histogram: () => {},
  };
  const steps = Fleet.steps(sendScript(target).scenarios[0].flow);
  const started = performance.now();
  // A VU that fails (the service went away) is counted, not thrown: the run reports it.
  let failed = 0;
  await Promise.all(
    Array.from({ length: SEND_VUS }, () => fleet.run(steps, sink).catch(() => (failed += 1))),
  );
  if (failed > 0) console.error(`in-process baseline: ${failed} of ${SEND_VUS} VUs failed`);
  const seconds = (performance.now() - started) / 1000;
  await fleet.close();
  return delivered / seconds;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const serve = await startServe();
const perVu = [];
const rates = [];
const baselines = [];
const rows = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const few = await run(`few-${i}`, holdScript(serve.url, FEW));
    const many = await run(`many-${i}`, holdScript(serve.url, VUS));
    const sends = await run(`send-${i}`, sendScript(serve.url));
    const baseline = await inProcess(serve.url);
    const c = many.aggregate.counters;
    if (c['push.subscribed'] !== VUS)
      throw new Error(`only ${c['push.subscribed']} of ${VUS} subscribed`);
    const bytesPerVu = (many.peakRss - few.peakRss) / (VUS - FEW);
    const s = sends.aggregate;
    const delivered = s.counters['push.delivered'] ?? 0;
    const seconds = (s.lastCounterAt - s.firstCounterAt) / 1000;
    const rate = delivered / seconds;
    perVu.push(bytesPerVu);
    rates.push(rate);
    baselines.push(baseline);
    rows.push({
      run: i + 1,
      fewPeakRssMB: +(few.peakRss / 2 ** 20).toFixed(1),
      manyPeakRssMB: +(many.peakRss / 2 ** 20).toFixed(1),
      rssPerVuKB: +(bytesPerVu / 1024).toFixed(1),
      delivered,
      lost: s.counters['push.lost'] ?? 0,
      deliveredPerSecond: Math.round(rate),
      latencyMedianMs: s.summaries['push.latency']?.median,
      inProcessPerSecond: Math.round(baseline),
      ratio: +(rate / baseline).toFixed(2),
      load1: +loadavg()[0].toFixed(1),
    });
  }
} finally {
  serve.stop();
  await rm(dir, { recursive: true, force: true });
}
console.table(rows);
console.log(
  JSON.stringify({
    vus: VUS,
    fewVus: FEW,
    rssPerVuKBMedian: +(median(perVu) / 1024).toFixed(1),
    sendVus: SEND_VUS,
    sendsPerVu: SENDS,
    deliveredPerSecondMedian: Math.round(median(rates)),
    inProcessPerSecondMedian: Math.round(median(baselines)),
    ratioMedian: +median(rates.map((r, i) => r / baselines[i])).toFixed(2),
  }),
);
