/**
 * One device's radio: an RRC state machine driven by the traffic it carries, with its energy
 * integrated exactly, piece by piece, over clock time.
 *
 * Lazy by construction: after each chunk of traffic the future is fully determined (promotion,
 * active until the hold after the last byte, the tail phases, idle), so the radio keeps that
 * future as a short `plan` of segments and answers any later query in closed form. Nothing
 * ticks. A clock timer is used only to tell a state listener about timed transitions, and at
 * most one is pending per radio.
 *
 *   settledMs                 (plan: contiguous, the last segment is idle until Infinity)
 *      │ promotion │ active ········│ shortDrx │ longDrx ─────────────│ idle ──────▶
 *                  └ data windows ┘  (α·bits spread over [ready, ready + duration + hold])
 *
 * Energy before `settledMs` (the time of the last traffic) is folded into per-state totals.
 */
import type { Clock, Timer } from '../clock/clock';
import { ENERGY_ERROR_CODES, EnergyError } from './errors';
import { machineSpec, type MachineSpec, type RadioState } from './machine';
import { pulseOverlapMs } from './paging';
import type { RadioModel, Technology } from './radio-models';

export type Direction = 'up' | 'down';

/** Told of every state change, in time order; `atMs` is the exact model time of the change. */
export type StateListener = (from: RadioState, to: RadioState, atMs: number) => void;

export interface RadioOptions {
  /** The technology's parameters (one entry of resources/radio-models.json). */
  model: RadioModel;
  /** Times the listener's timers; also the default for `atMs`/`untilMs` arguments. */
  clock: Clock;
  /** When the radio starts, in idle. Default: clock.now(). */
  startMs?: number;
  /** State-change listener. Without one the radio schedules no timers at all. */
  onStateChange?: StateListener;
  /** First paging occasion, relative to startMs (pulses repeat every period). Default 0. */
  pagingOffsetMs?: number;
  /** LTE: average a DRX wake-up into each DRX cycle (see MachineOptions). Default false. */
  drxWakeups?: boolean;
  /** Bound on pending data windows; past it a chunk merges into the newest. Default 1024. */
  dataWindowCountMax?: number;
}

/** Energy and time per state up to `atMs`. Every state of the technology is listed. */
export interface RadioSnapshot {
  atMs: number;
  state: RadioState;
  energyJoules: number;
  energyJoulesByState: Record<string, number>;
  timeMsByState: Record<string, number>;
}

interface Segment {
  state: RadioState;
  startMs: number;
  endMs: number;
  powerWatts: number;
}

/** Throughput energy α·bits, spread evenly over [startMs, endMs] (an impulse if equal). */
interface DataWindow {
  startMs: number;
  endMs: number;
  joules: number;
}

const BITS_PER_BYTE = 8;
const BITS_PER_MEGABIT = 1e6;
const MS_PER_S = 1000;

export class Radio {
  readonly technology: Technology;
  /** Every state of this technology, in lifecycle order. */
  readonly states: readonly RadioState[];
  readonly startMs: number;
  private readonly spec: MachineSpec;
  private readonly clock: Clock;
  private readonly listener: StateListener | null;
  private readonly pagingOriginMs: number;
  private readonly windowCountMax: number;
  private plan: Segment[];
  private windows: DataWindow[] = [];
  private settledMs: number;
  private readonly settledJoules = new Map<RadioState, number>();
  private readonly settledTimeMs = new Map<RadioState, number>();
  /** How many boundaries of `plan` (from its start) the listener has been told about. */
  private reportedCount = 0;
  private lastReportedMs = -Infinity;
  private timer: Timer | null = null;
  private timerDueMs = Infinity;
  /** energyJoules' per-state sums, in `states` order (reused: it is asked at every sample). */
  private readonly sums: Float64Array;

  constructor(options: RadioOptions) {
    this.spec = machineSpec(options.model, { drxWakeups: options.drxWakeups ?? false });
    this.technology = this.spec.technology;
    this.states = this.spec.states;
    this.clock = options.clock;
    this.listener = options.onStateChange ?? null;
    this.startMs = options.startMs ?? options.clock.now();
    this.pagingOriginMs = this.startMs + (options.pagingOffsetMs ?? 0);
    this.windowCountMax = options.dataWindowCountMax ?? 1024;
    if (!Number.isFinite(this.pagingOriginMs) || !(this.windowCountMax >= 1)) {
      throw new EnergyError(
        ENERGY_ERROR_CODES.BAD_MODEL,
        `radio options: startMs/pagingOffsetMs must be finite and dataWindowCountMax >= 1`,
      );
    }
    this.settledMs = this.startMs;
    this.sums = new Float64Array(this.states.length);
    this.plan = [this.idleSegment(this.startMs)];
    for (const state of this.states) {
      this.settledJoules.set(state, 0);
      this.settledTimeMs.set(state, 0);
    }
  }

  /**
   * A chunk of `bytes` on the link at `atMs`, taking `durationMs` on the air (0: instant).
   * Traffic in idle (or 3G FACH) starts a promotion; the bytes wait for it. Returns the time
   * the bytes can flow (`readyAtMs`), which a link may use to delay them.
   */
  traffic(direction: Direction, bytes: number, atMs = this.clock.now(), durationMs = 0): number {
    if (direction !== 'up' && direction !== 'down') throw badTraffic('direction', direction);
    if (!Number.isFinite(bytes) || bytes < 0) throw badTraffic('bytes', bytes);
    if (!Number.isFinite(durationMs) || durationMs < 0) throw badTraffic('durationMs', durationMs);
    this.checkTrafficTime(atMs);
    this.flush(atMs);
    this.settle(atMs);

    const current = this.plan[0]!;
    const { active } = this.spec;
    const prefix: Segment[] = [];
    let readyAtMs = atMs;
    let activeEndMs = -Infinity;
    if (current.state === 'promotion') {
      prefix.push(current);
      readyAtMs = current.endMs;
      activeEndMs = this.plan[1]!.endMs;
    } else if (current.state === active.state) {
      activeEndMs = current.endMs;
    } else {
      const promotion = this.promotionFrom(current.state);
      if (promotion) {
        readyAtMs = atMs + promotion.durationMs;
        const { state, powerWatts } = promotion;
        prefix.push({ state, startMs: atMs, endMs: readyAtMs, powerWatts });
      }
    }
    const dataEndMs = readyAtMs + durationMs + active.holdMs;
    activeEndMs = Math.max(activeEndMs, dataEndMs);
    const activeStartMs = current.state === active.state ? current.startMs : readyAtMs;
    this.plan = [
      ...prefix,
      {
        state: active.state,
        startMs: activeStartMs,
        endMs: activeEndMs,
        powerWatts: active.powerWatts,
      },
      ...this.tailAndIdle(activeEndMs),
    ];
    this.reportedCount = 0;
    const alpha = direction === 'up' ? active.alphaUpWattsPerMbps : active.alphaDownWattsPerMbps;
    this.addWindow(readyAtMs, dataEndMs, (alpha * bytes * BITS_PER_BYTE) / BITS_PER_MEGABIT);

    const first = this.plan[0]!;
    if (first.state !== current.state) {
      // A zero-length blip back into the state we were in (WiFi tail → active → tail at one
      // instant) tells a listener nothing: skip it.
      const blip = first.endMs === atMs && this.plan[1]?.state === current.state;
      if (blip) this.reportedCount = 1;
      else this.report(current.state, first.state, atMs);
    }
    this.flush(atMs);
    this.arm();
    return readyAtMs;
  }

  /** When bytes offered at `atMs` could flow, without offering them (no state change). */
  readyAt(atMs = this.clock.now()): number {
    const segment = this.segmentAt(atMs, 'readyAt');
    if (segment.state === 'promotion') return segment.endMs;
    if (segment.state === this.spec.active.state) return atMs;
    return atMs + (this.promotionFrom(segment.state)?.durationMs ?? 0);
  }

  /** The state at `atMs` (at a change, the new state). */
  stateAt(atMs = this.clock.now()): RadioState {
    return this.segmentAt(atMs, 'stateAt').state;
  }

  /**
   * Joules drawn from startMs to `untilMs` (default: now; never before the last traffic):
   * `snapshot(untilMs).energyJoules` without its maps and records. The sampler asks this of
   * every radio at every sample; the sums are made per state in the states' order, as
   * snapshot's are, so the two agree to the last bit (a sample's rounding must not move).
   */
  energyJoules(untilMs = Math.max(this.clock.now(), this.settledMs)): number {
    this.checkQueryTime(untilMs, 'energyJoules');
    const sums = this.sums;
    for (let i = 0; i < this.states.length; i++) sums[i] = this.settledJoules.get(this.states[i]!)!;
    for (const segment of this.plan) {
      if (segment.startMs >= untilMs) break;
      const endMs = Math.min(segment.endMs, untilMs);
      sums[this.stateIndex(segment.state)]! += this.segmentJoules(segment, segment.startMs, endMs);
    }
    const active = this.stateIndex(this.spec.active.state);
    for (const w of this.windows) sums[active]! += windowJoules(w, this.settledMs, untilMs);
    let energyJoules = 0;
    for (let i = 0; i < sums.length; i++) energyJoules += sums[i]!;
    return energyJoules;
  }

  /** Milliseconds spent in each state from startMs to `untilMs`; they sum to the elapsed time. */
  timeInStates(untilMs?: number): Record<string, number> {
    return this.snapshot(untilMs).timeMsByState;
  }

  /** Energy and time per state up to `untilMs` (default: now); never before the last traffic. */
  snapshot(untilMs = Math.max(this.clock.now(), this.settledMs)): RadioSnapshot {
    this.checkQueryTime(untilMs, 'snapshot');
    const joules = new Map(this.settledJoules);
    const times = new Map(this.settledTimeMs);
    for (const segment of this.plan) {
      if (segment.startMs >= untilMs) break;
      const endMs = Math.min(segment.endMs, untilMs);
      add(times, segment.state, endMs - segment.startMs);
      add(joules, segment.state, this.segmentJoules(segment, segment.startMs, endMs));
    }
    const activeState = this.spec.active.state;
    for (const w of this.windows)
      add(joules, activeState, windowJoules(w, this.settledMs, untilMs));
    let energyJoules = 0;
    for (const value of joules.values()) energyJoules += value;
    return {
      atMs: untilMs,
      state: this.segmentAt(untilMs, 'snapshot').state,
      energyJoules,
      energyJoulesByState: Object.fromEntries(joules),
      timeMsByState: Object.fromEntries(times),
    };
  }

  /** Cancels the pending listener timer, if any. */
  dispose(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  // ---- the plan ---------------------------------------------------------------------------

  private idleSegment(startMs: number): Segment {
    const { idle } = this.spec;
    return { state: idle.state, startMs, endMs: Infinity, powerWatts: idle.powerWatts };
  }

  /** The tail phases from `fromMs`, then idle. */
  private tailAndIdle(fromMs: number): Segment[] {
    const segments: Segment[] = [];
    let startMs = fromMs;
    for (const phase of this.spec.tail) {
      const endMs = startMs + phase.durationMs;
      segments.push({ state: phase.state, startMs, endMs, powerWatts: phase.powerWatts });
      startMs = endMs;
    }
    segments.push(this.idleSegment(startMs));
    return segments;
  }

  /** The promotion traffic starts from `state` (idle or a tail phase), or null if none. */
  private promotionFrom(state: RadioState) {
    if (state === this.spec.idle.state) return this.spec.promotion;
    return this.spec.tail.find((phase) => phase.state === state)?.promotion ?? null;
  }

  /** A state's place in `states` (every state a plan holds is one of them). */
  private stateIndex(state: RadioState): number {
    const index = this.states.indexOf(state);
    if (index < 0) {
      throw new EnergyError(
        ENERGY_ERROR_CODES.BAD_MODEL,
        `radio: state ${state} is not one of ${this.technology}'s states (${this.states.join(', ')})`,
      );
    }
    return index;
  }

  private segmentAt(atMs: number, what: string): Segment {
    this.checkQueryTime(atMs, what);
    return this.plan.find((s) => s.endMs > atMs) ?? this.plan[this.plan.length - 1]!;
  }

  /** Folds everything before `atMs` into the per-state totals and drops what has ended. */
  private settle(atMs: number): void {
    let ended = 0;
    for (const segment of this.plan) {
      const endMs = Math.min(segment.endMs, atMs);
      if (endMs > segment.startMs) {
        add(this.settledTimeMs, segment.state, endMs - segment.startMs);
        add(this.settledJoules, segment.state, this.segmentJoules(segment, segment.startMs, endMs));
      }
      if (segment.endMs > atMs) break;
      ended++;
    }
    this.plan.splice(0, ended);
    this.plan[0]!.startMs = atMs;
    this.reportedCount -= ended;
    const activeState = this.spec.active.state;
    const open: DataWindow[] = [];
    for (const w of this.windows) {
      const folded = windowJoules(w, this.settledMs, atMs);
      add(this.settledJoules, activeState, folded);
      if (w.endMs > atMs) {
        open.push({
          startMs: Math.max(w.startMs, atMs),
          endMs: w.endMs,
          joules: w.joules - folded,
        });
      }
    }
    this.windows = open;
    this.settledMs = atMs;
  }

  private addWindow(startMs: number, endMs: number, joules: number): void {
    if (!(joules > 0)) return;
    const newest = this.windows[this.windows.length - 1];
    if (newest && this.windows.length >= this.windowCountMax) {
      // Past the bound, merge: the total stays exact, only the spread over time coarsens.
      newest.endMs = Math.max(newest.endMs, endMs);
      newest.joules += joules;
      return;
    }
    this.windows.push({ startMs, endMs, joules });
  }

  private segmentJoules(segment: Segment, fromMs: number, toMs: number): number {
    let joules = (segment.powerWatts * (toMs - fromMs)) / MS_PER_S;
    const { paging } = this.spec.idle;
    if (segment.state === this.spec.idle.state && paging) {
      const pulseMs = pulseOverlapMs(paging, this.pagingOriginMs, fromMs, toMs);
      joules += ((paging.powerWatts - segment.powerWatts) * pulseMs) / MS_PER_S;
    }
    return joules;
  }

  // ---- telling the listener ---------------------------------------------------------------

  /** Reports every planned change at or before `atMs` not yet reported, in order. */
  private flush(atMs: number): void {
    while (this.reportedCount < this.plan.length - 1) {
      const segment = this.plan[this.reportedCount]!;
      if (segment.endMs > atMs) break;
      const next = this.plan[this.reportedCount + 1]!;
      this.reportedCount++;
      if (segment.state !== next.state) this.report(segment.state, next.state, segment.endMs);
    }
  }

  private report(from: RadioState, to: RadioState, atMs: number): void {
    this.lastReportedMs = atMs;
    this.listener?.(from, to, atMs);
  }

  /**
   * Keeps one timer, for the next unreported change, while a listener exists. A pending timer
   * due no later than that is kept (it flushes nothing and re-arms), so a burst of chunks does
   * not cancel and reschedule a timer per chunk.
   */
  private arm(): void {
    const dueMs = this.listener ? this.nextChangeMs() : null;
    if (dueMs === null) {
      this.dispose();
      return;
    }
    if (this.timer && this.timerDueMs <= dueMs) return;
    this.dispose();
    this.timerDueMs = dueMs;
    this.timer = this.clock.schedule(dueMs - this.clock.now(), () => {
      this.timer = null;
      try {
        this.flush(Math.max(this.clock.now(), dueMs));
      } finally {
        this.arm();
      }
    });
  }

  /** Time of the next change the listener has not heard of, or null if none is planned. */
  private nextChangeMs(): number | null {
    if (this.reportedCount >= this.plan.length - 1) return null;
    return this.plan[this.reportedCount]!.endMs;
  }

  // ---- time order -------------------------------------------------------------------------

  private checkTrafficTime(atMs: number): void {
    const floorMs = Math.max(this.settledMs, this.lastReportedMs);
    if (!Number.isFinite(atMs) || atMs < floorMs) {
      throw new EnergyError(
        ENERGY_ERROR_CODES.TIME_ORDER,
        `traffic: atMs ${atMs} is before ${floorMs}, the last traffic or reported state change`,
      );
    }
  }

  private checkQueryTime(atMs: number, what: string): void {
    if (Number.isNaN(atMs) || atMs < this.settledMs) {
      throw new EnergyError(
        ENERGY_ERROR_CODES.TIME_ORDER,
        `${what}: ${atMs} is before ${this.settledMs}, the last traffic; the radio keeps no history before it`,
      );
    }
  }
}

function add(totals: Map<RadioState, number>, state: RadioState, value: number): void {
  totals.set(state, (totals.get(state) ?? 0) + value);
}

/** The part of a window's joules that falls in [fromMs, toMs] (an impulse counts once, at its time). */
function windowJoules(w: DataWindow, fromMs: number, toMs: number): number {
  if (w.endMs <= w.startMs) return w.startMs <= toMs && w.startMs >= fromMs ? w.joules : 0;
  const overlapMs = Math.min(w.endMs, toMs) - Math.max(w.startMs, fromMs);
  return overlapMs > 0 ? (w.joules * overlapMs) / (w.endMs - w.startMs) : 0;
}

function badTraffic(field: string, value: unknown): EnergyError {
  return new EnergyError(
    ENERGY_ERROR_CODES.BAD_TRAFFIC,
    `traffic: ${field} ${String(value)} is not allowed; bytes and durationMs are finite and >= 0, direction is 'up' or 'down'`,
  );
}
