/**
 * `npm run bench:ui`: how smoothly the UI draws while the lab is busy, in Chromium, in browser
 * mode. Not a test: it prints numbers and whether they meet the goal, and never fails on them.
 *
 * The page comes from a real `push-lab web --port 0`, but its WebSocket is answered here
 * (page.routeWebSocket): a snapshot of a synthetic lab with BENCH_UI_SUBS (10,000) user agents
 * and subscriptions, built with the shared reducer, then — in the streaming runs — events at
 * BENCH_UI_RATE (1,000) a second in 16 ms batches (message.accepted → pushed → received →
 * acked, round robin over the subscriptions).
 *
 * For each view (Overview, Subscriptions, Log, Topology, Metrics) the page records
 * requestAnimationFrame timestamps for BENCH_UI_SECONDS (15) while streaming, and for
 * BENCH_UI_BASELINE_SECONDS (5) with no stream (the baseline, run first). Reported per view:
 * p50/p95 frame time, fps, dropped frames (> 1.5 × 16.7 ms) and fps streaming/baseline.
 * Goal (issue 13): ≥ 55 fps on every view while streaming.
 *
 * Builds the renderer (electron-vite build) first when out/renderer is missing. With --json it
 * ends with its figures as one line (bench/record.ts). With --busy=N, N processes spin on the
 * CPU while the lab streams (none during the baseline): the same deliberate contention for a
 * base and an after run, to show how much headroom a view has on a loaded machine.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium, type Page, type WebSocketRoute } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from '../scripts/chromium.mjs';
import { printJson } from './record';
import type { LabEvent } from '../src/shared/events';
import { applyEvents, emptyModel, type LabModel } from '../src/shared/model';
import { startCli } from '../test/helpers/cli';
import { lifecycleEvent, setupEvents } from './lifecycle';

const repoRoot = path.resolve(import.meta.dirname, '..');
const envNum = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const SUBS = Math.round(envNum('BENCH_UI_SUBS', 10_000));
const RATE = envNum('BENCH_UI_RATE', 1000);
const SECONDS = envNum('BENCH_UI_SECONDS', 15);
const BASELINE_SECONDS = envNum('BENCH_UI_BASELINE_SECONDS', 5);
const BATCH_MS = 16;
const WARMUP_MS = 1000;
const FRAME_MS = 1000 / 60;
const DROPPED_MS = 1.5 * 16.7;
const GOAL_FPS = 55;
const busyArg = process.argv.find((a) => a.startsWith('--busy='));
const BUSY = busyArg === undefined ? 0 : Number(busyArg.slice('--busy='.length));
if (!Number.isInteger(BUSY) || BUSY < 0 || BUSY > 8) {
  console.error(
    `bench:ui: --busy: got "${busyArg}"; allowed a whole number of spinning processes, 0 to 8`,
  );
  process.exit(2);
}
const VIEWS = [
  ['overview', 'Overview'],
  ['subscriptions', 'Subscriptions'],
  ['log', 'Log'],
  ['topology', 'Topology'],
  ['metrics', 'Metrics'],
] as const;

// ---- the synthetic lab ------------------------------------------------------------------

class SyntheticLab {
  private model: LabModel;
  /** Events sent since `model` (applied only when a snapshot is asked for). */
  private pending: LabEvent[] = [];
  private seq: number;
  private t: number;
  private message = 0;
  private phase = 0;
  sent = 0;

  constructor(subscriptions: number) {
    const events = setupEvents(subscriptions);
    this.model = applyEvents(emptyModel(), events);
    this.seq = this.model.seq;
    this.t = this.model.t;
    this.subscriptions = subscriptions;
  }

  private readonly subscriptions: number;

  /** The model as of the last event sent. */
  snapshot(): LabModel {
    if (this.pending.length > 0) {
      this.model = applyEvents(this.model, this.pending);
      this.pending = [];
    }
    return this.model;
  }

  /** The next `count` events; `elapsedMs` advances the lab clock. */
  next(count: number, elapsedMs: number): LabEvent[] {
    const out: LabEvent[] = [];
    this.t += elapsedMs;
    for (let i = 0; i < count; i++) {
      const base = { seq: ++this.seq, t: this.t };
      const body = lifecycleEvent(this.message + 1, this.phase, this.subscriptions);
      this.phase = (this.phase + 1) % 4;
      if (this.phase === 0) this.message++;
      out.push({ ...body, ...base } as LabEvent);
    }
    this.pending.push(...out);
    this.sent += out.length;
    return out;
  }
}

/** Sends events at `RATE`/s in BATCH_MS batches while started. */
class Stream {
  private timer: NodeJS.Timeout | null = null;
  private ws: WebSocketRoute | null = null;

  constructor(private readonly lab: SyntheticLab) {}

  attach(ws: WebSocketRoute): void {
    this.ws = ws;
  }

  start(): void {
    if (this.timer) return;
    const began = performance.now();
    let last = began;
    let due = 0;
    this.timer = setInterval(() => {
      const now = performance.now();
      const target = Math.floor(((now - began) / 1000) * RATE);
      const count = target - due;
      due = target;
      const events = this.lab.next(count, now - last);
      last = now;
      if (count > 0 && this.ws) this.ws.send(JSON.stringify({ type: 'events', events }));
    }, BATCH_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

// ---- measuring --------------------------------------------------------------------------

interface FrameStats {
  frames: number;
  p50: number;
  p95: number;
  fps: number;
  dropped: number;
}

/**
 * rAF timestamps in the page for `ms`. The page script is a string: tsx (esbuild keepNames)
 * would wrap a named function in a `__name` helper the page does not have.
 */
async function recordFrames(page: Page, ms: number): Promise<number[]> {
  return page.evaluate<number[]>(`new Promise((resolve) => {
    const stamps = [];
    const tick = (t) => {
      stamps.push(t);
      if (t - stamps[0] < ${Number(ms)}) requestAnimationFrame(tick);
      else resolve(stamps);
    };
    requestAnimationFrame(tick);
  })`);
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function stats(stamps: readonly number[]): FrameStats {
  const deltas: number[] = [];
  for (let i = 1; i < stamps.length; i++) deltas.push(stamps[i]! - stamps[i - 1]!);
  const sorted = [...deltas].sort((a, b) => a - b);
  const span = (stamps[stamps.length - 1]! - stamps[0]!) / 1000;
  return {
    frames: deltas.length,
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    fps: span > 0 ? deltas.length / span : NaN,
    dropped: deltas.filter((d) => d > DROPPED_MS).length,
  };
}

async function showView(page: Page, id: string): Promise<void> {
  await page.getByTestId(`nav-${id}`).click();
  await page.getByTestId(`nav-${id}`).and(page.locator('[aria-pressed="true"]')).waitFor();
}

// ---- main -------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (!existsSync(path.join(repoRoot, 'out', 'renderer', 'index.html'))) {
    console.log('out/renderer is missing: building (npx electron-vite build)…');
    const built = spawnSync('npx', ['electron-vite', 'build'], { cwd: repoRoot, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('electron-vite build failed');
  }
  const executablePath = findChromium();
  if (executablePath === null) throw new Error('no Chromium found (set CHROMIUM_PATH)');

  console.log(`Building a synthetic lab with ${SUBS} subscriptions…`);
  const lab = new SyntheticLab(SUBS);
  const stream = new Stream(lab);

  const spinners: ChildProcess[] = [];
  const server = startCli(['web', '--port', '0']);
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
  try {
    const line = await server.waitFor(/running at http:\/\//, 60_000);
    const url = /(http:\/\/\S+)/.exec(line)![1]!;
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.routeWebSocket(/\/ws(\?|$)/, (ws) => {
      stream.attach(ws);
      ws.onMessage((raw) => {
        const message = JSON.parse(String(raw)) as { type: string };
        if (message.type === 'resync') {
          ws.send(JSON.stringify({ type: 'snapshot', model: lab.snapshot() }));
        }
      });
    });
    await page.goto(url);
    await page.getByTestId('connection-status').and(page.locator('[data-status="open"]')).waitFor({
      timeout: 60_000,
    });
    console.log(
      `Chromium ${browser.version()} (${executablePath}), page ${url}; ` +
        `${RATE} events/s in ${BATCH_MS} ms batches; ${SECONDS} s a view streaming, ` +
        `${BASELINE_SECONDS} s baseline` +
        (BUSY > 0 ? `; ${BUSY} process(es) spinning while streaming.\n` : '.\n'),
    );

    const baseline = new Map<string, FrameStats>();
    for (const [id, label] of VIEWS) {
      await showView(page, id);
      await page.waitForTimeout(WARMUP_MS);
      const s = stats(await recordFrames(page, BASELINE_SECONDS * 1000));
      baseline.set(id, s);
      console.log(`baseline  ${label.padEnd(13)} ${fmt(s)}`);
    }
    console.log('');

    const results = new Map<string, FrameStats & { events: number }>();
    for (let i = 0; i < BUSY; i++) {
      spinners.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
    }
    stream.start();
    for (const [id, label] of VIEWS) {
      await showView(page, id);
      await page.waitForTimeout(WARMUP_MS);
      const sentBefore = lab.sent;
      const s = stats(await recordFrames(page, SECONDS * 1000));
      const events = lab.sent - sentBefore;
      results.set(id, { ...s, events });
      console.log(`streaming ${label.padEnd(13)} ${fmt(s)}  (${events} events sent)`);
    }
    stream.stop();
    for (const spinner of spinners.splice(0)) spinner.kill('SIGKILL');

    console.log(
      `\nview           p50 ms  p95 ms    fps  dropped  frames  fps/baseline  goal ≥ ${GOAL_FPS} fps`,
    );
    let allMet = true;
    for (const [id, label] of VIEWS) {
      const r = results.get(id)!;
      const b = baseline.get(id)!;
      const met = r.fps >= GOAL_FPS;
      allMet &&= met;
      console.log(
        `${label.padEnd(13)} ${r.p50.toFixed(1).padStart(7)} ${r.p95.toFixed(1).padStart(7)} ` +
          `${r.fps.toFixed(1).padStart(6)} ${String(r.dropped).padStart(8)} ${String(r.frames).padStart(7)} ` +
          `${(r.fps / b.fps).toFixed(2).padStart(13)}  ${met ? 'met' : 'NOT met'}`,
      );
    }
    console.log(
      `\nGoal ≥ ${GOAL_FPS} fps on every view with ${SUBS} subscriptions and ${RATE} events/s: ` +
        `${allMet ? 'met' : 'NOT met'} (a frame is ${FRAME_MS.toFixed(1)} ms at 60 Hz; ` +
        `dropped = longer than ${DROPPED_MS.toFixed(1)} ms).`,
    );
    printJson({
      bench: 'ui',
      figures: VIEWS.map(([id, label]) => ({
        label: `UI at ${SUBS} subscriptions, ${RATE} events/s: ${label}`,
        value: results.get(id)!.fps,
        unit: 'fps',
        goal: { op: '>=', value: GOAL_FPS },
      })),
    });
  } finally {
    stream.stop();
    for (const spinner of spinners) spinner.kill('SIGKILL');
    await browser.close();
    await server.stop();
  }
}

function fmt(s: FrameStats): string {
  return (
    `p50 ${s.p50.toFixed(1)} ms  p95 ${s.p95.toFixed(1)} ms  ${s.fps.toFixed(1)} fps  ` +
    `${s.dropped} dropped of ${s.frames}`
  );
}

main().catch((error: unknown) => {
  console.error(error);
  // Last, in one line: what `npm run bench` shows as the reason it was not measured.
  console.error(`bench:ui failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
