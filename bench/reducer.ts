/**
 * `npm run bench:reducer`: what one batch costs the shared reducer in the bench:ui lab
 * (BENCH_UI_SUBS, 10,000, subscriptions; batches of 16 events, message.accepted → pushed →
 * received → acked round robin), for the Table-based reducer (src/shared/model.ts) and, as
 * the baseline in the same run, the record-based reducer it replaced (kept as the test
 * reference, test/unit/shared/model-reference.ts). Rounds alternate between the two; it
 * prints the median ms per batch of each round, their medians and the ratio. Not a test.
 * With --json it ends with its figures as one line (bench/record.ts).
 */
import { performance } from 'node:perf_hooks';
import type { LabEvent } from '../src/shared/events';
import { applyEvents, emptyModel, modelToWire } from '../src/shared/model';
import { referenceApplyEvents, type RecordModel } from '../test/unit/shared/model-reference';
import { lifecycleEvent, setupEvents } from './lifecycle';
import { printJson } from './record';

const envNum = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const SUBS = Math.round(envNum('BENCH_UI_SUBS', 10_000));
const BATCH = 16;
const BATCHES = Math.round(envNum('BENCH_REDUCER_BATCHES', 1500));
const ROUNDS = Math.round(envNum('BENCH_REDUCER_ROUNDS', 5));
/** Batches left out of each round's median (the messages table fills up first). */
const WARMUP = Math.min(300, Math.floor(BATCHES / 4));

/** The streaming batches, seq after `seq0`. */
function streamBatches(seq0: number, t0: number): LabEvent[][] {
  const batches: LabEvent[][] = [];
  let seq = seq0;
  for (let b = 0; b < BATCHES; b++) {
    const batch: LabEvent[] = [];
    const t = t0 + b * 16;
    for (let k = 0; k < BATCH; k++) {
      const i = b * BATCH + k;
      const body = lifecycleEvent(Math.floor(i / 4) + 1, i % 4, SUBS);
      batch.push({ ...body, seq: ++seq, t } as LabEvent);
    }
    batches.push(batch);
  }
  return batches;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

/** Median ms per batch over the batches after WARMUP. */
function timeBatches<M>(
  start: M,
  apply: (m: M, e: LabEvent[]) => M,
  batches: LabEvent[][],
): number {
  let model = start;
  const times: number[] = [];
  for (const batch of batches) {
    const began = performance.now();
    model = apply(model, batch);
    times.push(performance.now() - began);
  }
  return median(times.slice(WARMUP));
}

const tables = applyEvents(emptyModel(), setupEvents(SUBS));
const records = modelToWire(tables) as RecordModel;
const batches = streamBatches(tables.seq, tables.t + 1000);
console.log(
  `${SUBS} subscriptions, ${BATCHES} batches of ${BATCH} events a round, ${ROUNDS} rounds ` +
    `(median of each round after ${WARMUP} warm-up batches).\n`,
);
const tableMs: number[] = [];
const recordMs: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const r = timeBatches(records, referenceApplyEvents, batches);
  const t = timeBatches(tables, applyEvents, batches);
  recordMs.push(r);
  tableMs.push(t);
  console.log(`round ${round}: records ${r.toFixed(3)} ms/batch  tables ${t.toFixed(3)} ms/batch`);
}
const r = median(recordMs);
const t = median(tableMs);
console.log(
  `\nmedian: records (baseline) ${r.toFixed(3)} ms/batch, tables ${t.toFixed(3)} ms/batch: ` +
    `${(r / t).toFixed(0)}× less time a batch.`,
);
printJson({
  bench: 'reducer',
  figures: [
    {
      label: `reducer, a batch of ${BATCH} at ${SUBS} subscriptions (tables)`,
      value: t,
      unit: 'ms',
      goal: null,
    },
    { label: 'reducer: records baseline / tables', value: r / t, unit: '×', goal: null },
  ],
});
