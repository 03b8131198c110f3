/**
 * `npm run bench:replay`: how fast a recording opens into a Timeline and how fast it scrubs,
 * on this machine, in one run. Not a test: it prints numbers and never fails on them.
 *
 * The fixture: BENCH_REPLAY_EVENTS (1,000,000) events of a busy lab, generated directly
 * (deterministic) and written as a run bundle (gzip level 6, like `push-lab run --bundle`)
 * with the real TraceWriter: 2 services, 40 user agents and 4 gateways holding 10,000
 * subscriptions, 4 application servers sending (accepted → pushed → received → acked, some
 * redelivered, replaced or expired, receipts for a fifth of them, one in 20,000 pushed after its
 * TTL: a violation), links going down and up.
 *
 *   open      TraceReader → Timeline.fromReader, against a baseline of reading and parsing
 *             the same file without indexing (TraceReader.records()). 3 runs each,
 *             alternating; medians and the ratio open/baseline.
 *   progressive  the UI's open (RecordingShow, issue 13): the first view (the show made after
 *             its first events) and the whole index (the rest read in the background); 3 runs,
 *             medians. Goals: first view < 1 s, whole index < 3 s.
 *   memory    heap (V8 + external buffers) and RSS after GC, with the timeline held, over the
 *             process before it.
 *   scrub     200 random seeks by seq and 200 by lab time with a window of 5,000 events, and
 *             200 small steps (seq ± 1 from 20 random places); median and p95 each. Also the
 *             `timeline` answer (2,000 buckets) and `find`.
 *   round trip  the same 400 seeks as the renderer waits for them (bench/replay-roundtrip.ts):
 *             the seek command, its wire form, the transport's serialisation (browser mode's
 *             JSON, Electron's structured clone as v8.serialize) and the receiver's decoding,
 *             each part's median and p95, the sum per seek, the engine's and the receiver's
 *             shares apart, and what the answer weighs. Each seek names the last one's
 *             answer as its base, as one client's do (seek-wire.ts; one more than 50,000
 *             events from it is sent whole, SEEK_DELTA_SPAN_MAX, as most random ones are);
 *             then near seeks (± up to 2,000 events), ± 1 steps and playback frames (10×,
 *             60 a second) the same way, and 100 of the random ones sent whole (a client's
 *             first seek). The receiver runs in a worker thread, its own heap and event loop
 *             as the renderer's are, each answer handed over as the transport delivers it;
 *             BENCH_REPLAY_ONE_HEAP=1 runs both sides in this thread, seek after seek, as
 *             the figures before stop 24 were measured (replay-roundtrip.ts says why).
 *
 * Times are wall clock and CPU (this process, all threads): on a busy machine the first
 * stretches, the second much less. Run with `node --expose-gc` (the npm script does) so memory
 * figures are after GC. With --json it ends with its figures as one line (bench/record.ts).
 * BENCH_REPLAY_FIXTURE=path keeps the fixture there (written once, then reused).
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { RealClock } from '../src/main/engine/clock/real';
import { TraceReader } from '../src/main/engine/trace/reader';
import { Timeline } from '../src/main/engine/trace/timeline';
import { RecordingShow } from '../src/main/engine/workbench/shows/recording';
import { printJson, type BenchFigure } from './record';
import { Rand, writeBundle } from './replay-fixture';
import {
  PARTS,
  ApartClient,
  Receiver,
  roundTrip,
  roundTripApart,
  SeekClient,
  sizes,
  type RoundTrip,
  type Transport,
} from './replay-roundtrip';

const envInt = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
};
const EVENTS = envInt('BENCH_REPLAY_EVENTS', 1_000_000);
const RUNS = 3;
const SEEKS = 200;
const WINDOW = 5_000;
const ONE_HEAP = process.env['BENCH_REPLAY_ONE_HEAP'] === '1';

const out = (line = ''): void => void process.stdout.write(`${line}\n`);
const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const MB = (bytes: number): string => `${fmt(bytes / 1024 / 1024, 1)} MB`;
const kB = (bytes: number): string => `${fmt(bytes / 1024, 1)} kB`;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const p95 = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]!;
};

const gc = (globalThis as { gc?: () => void }).gc;

function memory(): { heap: number; rss: number } {
  for (let i = 0; i < 3; i++) gc?.();
  const m = process.memoryUsage();
  // `external` includes the ArrayBuffers (Buffers) already.
  return { heap: m.heapUsed + m.external, rss: m.rss };
}

// ---- measuring ------------------------------------------------------------------------------

/** Wall-clock and CPU milliseconds (this process, all threads: zlib works off the main one). */
interface Took {
  wall: number;
  cpu: number;
}

const cpuNow = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function took<T>(f: () => Promise<T>): Promise<Took & { value: T }> {
  const wall = performance.now();
  const cpu = cpuNow();
  const value = await f();
  return { wall: performance.now() - wall, cpu: cpuNow() - cpu, value };
}

/** The UI's open: the first view (the show made), then the whole index (read in the background). */
async function openProgressively(file: string): Promise<{ firstView: Took; whole: Took }> {
  const stage = { timeline: {}, wall: new RealClock(), changed() {}, refreshed() {} };
  const wall = performance.now();
  const cpu = cpuNow();
  const show = (await RecordingShow.open(file, 'bench', 'bench.plb', stage))(1);
  const firstView = { wall: performance.now() - wall, cpu: cpuNow() - cpu };
  show.begin();
  await show.whole();
  const whole = { wall: performance.now() - wall, cpu: cpuNow() - cpu };
  if (show.timeline.count !== EVENTS)
    throw new Error(`the show indexed ${show.timeline.count} events, not ${EVENTS}`);
  await show.dispose();
  return { firstView, whole };
}

/** What each call of `f` took, one per item. */
function timeEach<T>(items: readonly T[], f: (item: T) => unknown): Took[] {
  return items.map((item) => {
    const wall = performance.now();
    const cpu = cpuNow();
    f(item);
    return { wall: performance.now() - wall, cpu: cpuNow() - cpu };
  });
}

async function readOnly(file: string): Promise<number> {
  const reader = await TraceReader.open(file);
  let events = 0;
  for await (const record of reader.records()) if (record.type === 'event') events += 1;
  return events;
}

const ms = (n: number): string => `${fmt(n, 1).padStart(7)} ms`;
const line = (label: string, samples: Took[]): void => {
  const wall = samples.map((s) => s.wall);
  const cpu = samples.map((s) => s.cpu);
  out(
    `  ${label.padEnd(34)} median ${ms(median(wall))}   p95 ${ms(p95(wall))}   (CPU median ${ms(median(cpu))}, p95 ${ms(p95(cpu))})`,
  );
};

async function main(): Promise<void> {
  if (!gc) out('note: run with node --expose-gc for memory after GC (npm run bench:replay does)');
  out(`Push Lab replay benchmark: a ${fmt(EVENTS)}-event bundle into a Timeline`);
  out(
    `(${os.cpus().length} CPUs, load average ${fmt(os.loadavg()[0]!, 1)} at the start: wall times on a busy machine stretch, CPU times less)\n`,
  );
  const dir = mkdtempSync(path.join(os.tmpdir(), 'push-lab-replay-'));
  let receiver: Receiver | null = null;
  try {
    const kept = process.env['BENCH_REPLAY_FIXTURE'];
    const file = kept ?? path.join(dir, 'bench.plb');
    if (kept !== undefined && existsSync(kept)) {
      out(`fixture  ${kept}, written before: ${MB(statSync(kept).size)}`);
    } else {
      const written = await writeBundle(file, EVENTS);
      out(
        `fixture  ${fmt(EVENTS)} events written in ${fmt(written.seconds, 1)} s with TraceWriter → gzip: ${MB(written.bytes)}`,
      );
    }

    const before = memory();
    const baseline: Took[] = [];
    const opens: Took[] = [];
    let timeline: Timeline | null = null;
    for (let run = 0; run < RUNS; run++) {
      const read = await took(() => readOnly(file));
      if (read.value !== EVENTS) throw new Error(`read ${read.value} events, not ${EVENTS}`);
      baseline.push({ wall: read.wall, cpu: read.cpu });
      timeline = null;
      const opened = await took(async () => Timeline.fromReader(await TraceReader.open(file)));
      if (opened.value.count !== EVENTS)
        throw new Error(`indexed ${opened.value.count} events, not ${EVENTS}`);
      opens.push({ wall: opened.wall, cpu: opened.cpu });
      timeline = opened.value;
    }
    if (!timeline) throw new Error('no timeline');
    const after = memory();

    const s = (n: number): string => `${fmt(n / 1000, 2).padStart(6)} s`;
    const medians = (samples: Took[]): Took => ({
      wall: median(samples.map((x) => x.wall)),
      cpu: median(samples.map((x) => x.cpu)),
    });
    const base = medians(baseline);
    const opened = medians(opens);
    out('\nopen (median of 3)                     wall       CPU');
    out(`  read + parse only (baseline)       ${s(base.wall)}  ${s(base.cpu)}`);
    out(`  TraceReader → Timeline             ${s(opened.wall)}  ${s(opened.cpu)}`);
    out(
      `  ratio open/baseline                ${fmt(opened.wall / base.wall, 2).padStart(6)} ×  ${fmt(opened.cpu / base.cpu, 2).padStart(6)} ×`,
    );
    const runs = (samples: Took[]): string =>
      samples.map((x) => `${fmt(x.wall / 1000, 2)}/${fmt(x.cpu / 1000, 2)}`).join(', ');
    out(`  runs (wall/CPU s): baseline ${runs(baseline)}; open ${runs(opens)}`);

    const progressive: { firstView: Took; whole: Took }[] = [];
    for (let run = 0; run < RUNS; run++) progressive.push(await openProgressively(file));
    const firstView = medians(progressive.map((p) => p.firstView));
    const whole = medians(progressive.map((p) => p.whole));
    out("\nthe UI's open, progressive (RecordingShow, median of 3)");
    out(`  first view (the show on screen)    ${s(firstView.wall)}  ${s(firstView.cpu)}`);
    out(`  whole index (read in background)   ${s(whole.wall)}  ${s(whole.cpu)}`);
    out(
      `  runs (wall s): first view ${runs(progressive.map((p) => p.firstView))}; whole ${runs(progressive.map((p) => p.whole))}`,
    );

    out('\nmemory after open, over the process before it (after GC)');
    const heap = after.heap - before.heap;
    out(
      `  heap (V8 + external)               ${MB(heap).padStart(10)}   ${fmt(heap / EVENTS, 1)} bytes/event`,
    );
    out(
      `  RSS                                ${MB(after.rss - before.rss).padStart(10)}   (${MB(after.rss)} in all)`,
    );

    const tl = timeline;
    const info = tl.info(2000);
    const { firstSeq, lastSeq, firstT, lastT } = info;
    const rand = new Rand(7);
    const seqs = Array.from({ length: SEEKS }, () => firstSeq + rand.int(lastSeq - firstSeq + 1));
    const times = Array.from({ length: SEEKS }, () => firstT + rand.next() * (lastT - firstT));
    const places = Array.from(
      { length: SEEKS / 10 },
      () => firstSeq + rand.int(lastSeq - firstSeq - 10),
    );
    out(
      `\nscrub (window ${fmt(WINDOW)} events; ${fmt(lastSeq)} events over ${fmt((lastT - firstT) / 1000)} s of lab time)`,
    );
    const bySeq = timeEach(seqs, (seq) => tl.seek(seq, WINDOW));
    line(`seek by seq, ${SEEKS} random`, bySeq);
    const byTime = timeEach(times, (t) => tl.seekTime(t, WINDOW));
    line(`seek by time, ${SEEKS} random`, byTime);
    const steps = places.flatMap((place) => {
      tl.seek(place, WINDOW);
      return timeEach([1, 2, 3, 4, 5, 4, 3, 2, 1, 0], (j) => tl.seek(place + j, WINDOW));
    });
    line(`step seq ± 1, ${steps.length} steps`, steps);
    const stepsJson = places.flatMap((place) => {
      tl.seekJson(place, WINDOW);
      return timeEach([1, 2, 3, 4, 5, 4, 3, 2, 1, 0], (j) => tl.seekJson(place + j, WINDOW));
    });
    line(`  the same as the command (seekJson)`, stepsJson);
    line(
      'timeline info, 2,000 buckets, ×20',
      timeEach(Array.from({ length: 20 }), () => tl.info(2000)),
    );
    line(
      'find next marker, ×200',
      timeEach(seqs, (seq) => tl.find(seq, 1, 'marker')),
    );
    line(
      'find previous violation, ×200',
      timeEach(seqs, (seq) => tl.find(seq, -1, 'violation')),
    );
    // Messages named by the events at random seqs (those that name one).
    const messageIds = seqs
      .map((seq) => tl.seek(seq, 1).events[0])
      .flatMap((e) =>
        e && 'messageId' in e && typeof e.messageId === 'string' ? [e.messageId] : [],
      );
    line(
      `find next event of a message, ×${messageIds.length}`,
      timeEach(messageIds, (id) => tl.find(0, 1, 'message', id)),
    );

    // Random seeks alternate seq and time, each relative to the one before (as clicking
    // around the timeline sends them); near ones jump up to 2,000 events from the last;
    // steps are ± 1; playback advances lab time by a frame at 10× (167 ms) from 4 places.
    const targets = seqs.flatMap((seq, i) => [{ seq }, { t: times[i]! }]);
    // Each run of near seeks, steps or frames starts with a far jump to its place: not
    // measured (`lead`), it is a random seek's figure.
    type Target = { where: { seq: number } | { t: number }; lead: boolean };
    const measured = (where: Target['where']): Target => ({ where, lead: false });
    const near = places.flatMap((place) => {
      let at = place;
      return [{ where: { seq: place }, lead: true } as Target].concat(
        Array.from({ length: 10 }, () => {
          at = Math.min(lastSeq, Math.max(firstSeq, at + rand.int(4_001) - 2_000));
          return measured({ seq: at });
        }),
      );
    });
    const stepTargets = places.flatMap((place) =>
      [{ where: { seq: place }, lead: true } as Target].concat(
        [1, 2, 3, 4, 5, 4, 3, 2, 1, 0].map((j) => measured({ seq: place + j })),
      ),
    );
    const playback = places.slice(0, 4).flatMap((place) => {
      const t0 = tl.seek(place, 0).t;
      return Array.from({ length: 51 }, (_, f) => ({
        where: { t: t0 + (f * 10_000) / 60 },
        lead: f === 0,
      }));
    });
    const kinds = [
      { kind: 'random', targets: [{ where: targets[0]!, lead: true }, ...targets.map(measured)] },
      { kind: 'near', targets: near },
      { kind: 'step', targets: stepTargets },
      { kind: 'playback', targets: playback },
      { kind: 'whole', targets: targets.slice(0, 100).map(measured) },
    ] as const;
    type Kind = (typeof kinds)[number]['kind'];
    const trips = new Map<`${Transport} ${Kind}`, RoundTrip[]>();
    // The receiver in a thread of its own unless BENCH_REPLAY_ONE_HEAP=1 (replay-roundtrip.ts).
    receiver = ONE_HEAP ? null : await Receiver.start();
    out(
      ONE_HEAP
        ? '\nround trips in one heap (BENCH_REPLAY_ONE_HEAP=1): the receiver in this thread, no turn between seeks'
        : "\nround trips with the receiver in a worker thread (its own heap and event loop, as the renderer's)",
    );
    for (const transport of ['ws', 'ipc'] as const) {
      const name =
        transport === 'ws'
          ? 'browser mode (JSON over the WebSocket)'
          : "Electron's IPC (structured clone)";
      for (const { kind, targets: these } of kinds) {
        out(
          kind === 'random'
            ? `\nround trip of a seek, ${name}, ${these.length - 1} random seeks, each naming the last as its base`
            : `  ${kind === 'whole' ? `${these.length} of them sent whole (no base: a client's first seek)` : `${these.filter((x) => !x.lead).length} ${kind} seeks`}`,
        );
        // A fresh client per kind; `whole` has none (every answer whole).
        const samples: RoundTrip[] = [];
        if (receiver === null) {
          const client = kind === 'whole' ? undefined : new SeekClient();
          for (const { where, lead } of these) {
            const trip = roundTrip(tl, where, WINDOW, transport, client);
            if (!lead) samples.push(trip);
          }
        } else {
          const client = kind === 'whole' ? undefined : new ApartClient();
          for (const { where, lead } of these) {
            const trip = await roundTripApart(tl, where, WINDOW, transport, receiver, client);
            if (!lead) samples.push(trip);
          }
        }
        trips.set(`${transport} ${kind}`, samples);
        const of = (f: (r: RoundTrip, kind: 'wall' | 'cpu') => number): Took[] =>
          samples.map((r) => ({ wall: f(r, 'wall'), cpu: f(r, 'cpu') }));
        if (kind === 'random')
          for (const part of PARTS)
            line(
              `  ${part}`,
              of((r, k) => r[k][part]),
            );
        line(
          '  engine (seek + encode + send)',
          of((r, k) => r[k].seek + r[k].encode + r[k].send),
        );
        line(
          '  receiver (receive + decode)',
          of((r, k) => r[k].receive + r[k].decode),
        );
        line(
          '  the whole round trip',
          of((r, k) => PARTS.reduce((sum, p) => sum + r[k][p], 0)),
        );
      }
    }
    for (const { kind, targets: these } of kinds) {
      const client = kind === 'whole' ? undefined : new SeekClient();
      const weights = these.flatMap(({ where, lead }) => {
        const size = sizes(tl, where, WINDOW, client);
        return lead ? [] : [size];
      });
      const medianOf = (f: (x: (typeof weights)[number]) => number): number =>
        median(weights.map(f));
      out(
        `  what travels, ${kind} (median of ${weights.length}): WebSocket message ${kB(medianOf((w) => w.wsChars))}, ` +
          `IPC clone ${kB(medianOf((w) => w.ipcBytes))}` +
          (kind === 'whole'
            ? `, of which the model ${MB(medianOf((w) => w.modelChars))} as JSON ` +
              `(${fmt(medianOf((w) => w.subscriptions))} subscriptions, ${fmt(medianOf((w) => w.messages))} messages)`
            : ''),
      );
    }

    out('\nwhat the timeline holds');
    const counts = Object.entries(info.markerCounts).map(([kind, n]) => `${kind} ${fmt(n)}`);
    out(`  markers: ${counts.join(', ')} (${info.markers.length} listed)`);
    const rules = Object.entries(tl.verdict().countByRule).filter(([, n]) => n > 0);
    out(
      `  violations by rule: ${rules.map(([rule, n]) => `${rule} ${fmt(n)}`).join(', ') || 'none'}`,
    );
    out(`  notes: ${tl.notes().length === 0 ? 'none' : tl.notes().join(' ')}`);

    const seeks = [...bySeq, ...byTime].map((x) => x.wall);
    const figures: BenchFigure[] = [
      {
        label: 'open a 1M-event recording: first view',
        value: firstView.wall,
        unit: 'ms',
        goal: { op: '<', value: 1000 },
        note: `${fmt(EVENTS)} events`,
      },
      {
        label: 'open: whole index (in the background)',
        value: whole.wall / 1000,
        unit: 's',
        goal: { op: '<', value: 3 },
      },
      {
        label: 'open: Timeline.fromReader / read + parse',
        value: opened.wall / base.wall,
        unit: '×',
        goal: null,
      },
      {
        label: `seek p95 (by seq and time, window ${fmt(WINDOW)})`,
        value: p95(seeks),
        unit: 'ms',
        goal: { op: '<', value: 16 },
      },
      { label: 'seek median', value: median(seeks), unit: 'ms', goal: null },
      ...(['ws', 'ipc'] as const).flatMap((transport): BenchFigure[] => {
        const name = transport === 'ws' ? 'WebSocket' : 'IPC';
        const whole = (kind: Kind): number[] =>
          (trips.get(`${transport} ${kind}`) ?? []).map((r) =>
            PARTS.reduce((sum, p) => sum + r.wall[p], 0),
          );
        const samples = trips.get(`${transport} random`) ?? [];
        const receiver = samples.map((r) => r.wall.receive + r.wall.decode);
        const engine = samples.map((r) => r.wall.seek + r.wall.encode + r.wall.send);
        return [
          {
            label: `seek round trip p95 (${name}: engine, wire, receiver)`,
            value: p95(whole('random')),
            unit: 'ms',
            goal: { op: '<', value: 16 },
            note: 'random seeks, each naming the last as its base (whole when > 50,000 events apart)',
          },
          {
            label: `seek round trip median (${name})`,
            value: median(whole('random')),
            unit: 'ms',
            goal: null,
          },
          {
            label: `seek round trip engine p95 (${name})`,
            value: p95(engine),
            unit: 'ms',
            goal: null,
          },
          {
            label: `seek round trip receiver p95 (${name})`,
            value: p95(receiver),
            unit: 'ms',
            goal: null,
          },
          ...(['near', 'step', 'playback'] as const).map((kind): BenchFigure => ({
            label: `seek round trip p95, ${kind} (${name})`,
            value: p95(whole(kind)),
            unit: 'ms',
            goal: { op: '<', value: 16 },
          })),
          {
            label: `seek round trip p95, sent whole (${name})`,
            value: p95(whole('whole')),
            unit: 'ms',
            goal: null,
          },
        ];
      }),
      { label: 'heap after open, per event', value: heap / EVENTS, unit: 'B', goal: null },
    ];
    printJson({ bench: 'replay', figures });
  } finally {
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:replay failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
