/**
 * Latency percentiles in bounded memory. Samples are kept exactly up to `samplesMax`; past
 * that they fold into logarithmic buckets 1 % wide (at most ~2,200 buckets for 1 ms … 30 days),
 * so a percentile is then within 1 % of the true value. The max is always exact.
 *
 * Percentiles use the nearest-rank definition: pN is the smallest sample such that at least
 * N % of all samples are ≤ it (p50 of [10, 20, 30, 40] is 20).
 */

/** One bar of a histogram: samples in [fromMs, toMs). */
export interface HistogramBin {
  fromMs: number;
  toMs: number;
  count: number;
}

export const LATENCY_SAMPLES_MAX = 100_000;
const BUCKET_RATIO = 1.01;
const LOG_RATIO = Math.log(BUCKET_RATIO);

export class LatencyDigest {
  private samples: number[] | null = [];
  /** Bucket index → count, once samples exceeded the bound. Index 0 holds [0, 1) ms. */
  private buckets: Map<number, number> | null = null;
  private sorted = true;
  count = 0;
  /** The largest sample, or null before any. */
  maxMs: number | null = null;

  constructor(private readonly samplesMax = LATENCY_SAMPLES_MAX) {}

  /** Adds one latency, ms (negative values count as 0). */
  add(latencyMs: number): void {
    const ms = Math.max(0, latencyMs);
    this.count += 1;
    this.maxMs = this.maxMs === null ? ms : Math.max(this.maxMs, ms);
    if (this.samples !== null) {
      if (this.samples.length > 0 && ms < this.samples[this.samples.length - 1]!)
        this.sorted = false;
      this.samples.push(ms);
      if (this.samples.length > this.samplesMax) this.fold();
      return;
    }
    this.addToBucket(ms);
  }

  /** True while every sample is kept exactly. */
  get exact(): boolean {
    return this.samples !== null;
  }

  /** Nearest-rank percentile (0 < p ≤ 100), or null without samples. */
  percentile(p: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    if (this.samples !== null) return this.sortedSamples()[rank - 1]!;
    let seen = 0;
    for (const [index, count] of [...this.buckets!].sort((a, b) => a[0] - b[0])) {
      seen += count;
      if (seen >= rank) return Math.min(bucketUpperMs(index), this.maxMs!);
    }
    return this.maxMs;
  }

  /** Counts in 1-2-5 bins (0–1, 1–2, 2–5, 5–10, 10–20 ms, …) up to the bin holding the max. */
  histogram(): HistogramBin[] {
    if (this.maxMs === null) return [];
    const edges = [0, 1];
    const steps = [2, 5, 10];
    for (let decade = 1; edges[edges.length - 1]! <= this.maxMs; decade *= 10) {
      for (const step of steps) edges.push(step * decade);
    }
    while (edges.length > 2 && edges[edges.length - 2]! > this.maxMs) edges.pop();
    const bins = edges.slice(0, -1).map((fromMs, i) => ({ fromMs, toMs: edges[i + 1]!, count: 0 }));
    const place = (ms: number, count: number): void => {
      const bin = bins.find((b) => ms < b.toMs) ?? bins[bins.length - 1]!;
      bin.count += count;
    };
    if (this.samples !== null) for (const ms of this.samples) place(ms, 1);
    else for (const [index, count] of this.buckets!) place(bucketLowerMs(index), count);
    return bins;
  }

  private sortedSamples(): number[] {
    if (!this.sorted) {
      this.samples!.sort((a, b) => a - b);
      this.sorted = true;
    }
    return this.samples!;
  }

  private fold(): void {
    const samples = this.samples!;
    this.samples = null;
    this.buckets = new Map();
    for (const ms of samples) this.addToBucket(ms);
  }

  private addToBucket(ms: number): void {
    const index = ms < 1 ? 0 : 1 + Math.floor(Math.log(ms) / LOG_RATIO);
    this.buckets!.set(index, (this.buckets!.get(index) ?? 0) + 1);
  }
}

function bucketLowerMs(index: number): number {
  return index === 0 ? 0 : BUCKET_RATIO ** (index - 1);
}

function bucketUpperMs(index: number): number {
  return BUCKET_RATIO ** index;
}
