/**
 * Turns what changes continuously — a link's byte counters, a radio's joules — into events:
 * on a fixed lab-time interval (from the injected Clock) one `link.sampled` and one
 * `energy.sampled` carrying only what moved since the last sample, each bounded, so the event
 * stream (and every view folded from it, time travel and recordings included) knows them.
 */
import { SAMPLED_DEVICES_MAX, SAMPLED_LINKS_MAX, type LinkCounts } from '../../../shared/events';
import { every, type Clock, type Timer } from '../clock/clock';
import type { Link } from '../net/link';
import type { EventBus } from '../trace/bus';
import type { EnergyMeter } from './meter';

/**
 * Samples over a whole run: a day-long fleet run makes as many sample events as a ten-minute
 * one (a fixed 5 s would add 17,280 instants and ~35,000 events to bench:fleet's day), and the
 * model's energy series (ENERGY_SAMPLES_MAX) holds the whole run.
 */
export const SAMPLES_PER_RUN = 500;
/** The shortest interval between two samples: a short run samples every second of lab time. */
export const SAMPLE_INTERVAL_MIN_MS = 1_000;

/** The interval for a run of `durationMs` of lab time. */
export function sampleIntervalMs(durationMs: number): number {
  return Math.max(SAMPLE_INTERVAL_MIN_MS, Math.ceil(durationMs / SAMPLES_PER_RUN));
}

/** Joules are sampled to the millijoule: finer changes are not news. */
const JOULES_PER_STEP = 1000;

export interface SamplerOptions {
  clock: Clock;
  bus: EventBus;
  /** The radios' joules; a lab without radios (the sandbox's proxies) samples links only. */
  meter?: EnergyMeter;
  /** The links made so far (they are made as agents connect). */
  links: () => readonly Link[];
  /** Lab time between two samples (sampleIntervalMs of the run's duration). */
  intervalMs: number;
}

export class FactSampler {
  private readonly intervalMs: number;
  private timer: Timer | null = null;
  private readonly lastCounts = new Map<string, LinkCounts>();
  private readonly lastJoules = new Map<string, number>();
  private lastClasses = '';

  constructor(private readonly options: SamplerOptions) {
    this.intervalMs = options.intervalMs;
  }

  start(): void {
    this.timer ??= every(this.options.clock, this.intervalMs, () => this.sample());
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  /** Emits what moved since the last sample (nothing when nothing did). */
  sample(): void {
    this.sampleLinks();
    this.sampleEnergy();
  }

  private sampleLinks(): void {
    let batch: Record<string, LinkCounts> = {};
    let size = 0;
    for (const link of this.options.links()) {
      const now = link.counters() as unknown as LinkCounts;
      if (sameCounts(this.lastCounts.get(link.id), now)) continue;
      this.lastCounts.set(link.id, now);
      batch[link.id] = now;
      if (++size === SAMPLED_LINKS_MAX) {
        this.options.bus.emit({ kind: 'link.sampled', counters: batch });
        batch = {};
        size = 0;
      }
    }
    if (size > 0) this.options.bus.emit({ kind: 'link.sampled', counters: batch });
  }

  private sampleEnergy(): void {
    const { meter } = this.options;
    if (!meter) return;
    const byClass: Record<string, { joules: number; devices: number }> = {};
    let devices: Record<string, number> = {};
    let size = 0;
    meter.eachJoules((id, deviceClass, joules) => {
      const rounded = Math.round(joules * JOULES_PER_STEP) / JOULES_PER_STEP;
      const sum = (byClass[deviceClass] ??= { joules: 0, devices: 0 });
      sum.joules += joules;
      sum.devices += 1;
      if (this.lastJoules.get(id) === rounded) return;
      this.lastJoules.set(id, rounded);
      devices[id] = rounded;
      if (++size === SAMPLED_DEVICES_MAX) {
        this.options.bus.emit({ kind: 'energy.sampled', byClass: {}, devices });
        devices = {};
        size = 0;
      }
    });
    for (const sum of Object.values(byClass)) {
      sum.joules = Math.round(sum.joules * JOULES_PER_STEP) / JOULES_PER_STEP;
    }
    const classes = JSON.stringify(byClass);
    if (size === 0 && classes === this.lastClasses) return;
    this.lastClasses = classes;
    // The totals go with the last event of the instant, so a fold sees them after its devices.
    this.options.bus.emit({ kind: 'energy.sampled', byClass, devices });
  }
}

function sameCounts(a: LinkCounts | undefined, b: LinkCounts): boolean {
  if (!a) return false;
  for (const key in b) if (a[key] !== b[key]) return false;
  return true;
}
