/**
 * Every technology's RRC machine has the same shape, so one Radio can run all three:
 *
 *   idle ──traffic──▶ promotion ──▶ active ──(hold after last byte)──▶ tail[0] ▶ … ▶ idle
 *                                    ▲                                   │
 *                                    └──── traffic (maybe via a promotion) ┘
 *
 * This file turns a RadioModel (seconds, watts) into that shape (milliseconds, watts).
 * Pure data: no clock, no state.
 */
import type { LteModel, RadioModel, Technology, UmtsModel, WifiModel } from './radio-models';

export type LteState = 'idle' | 'promotion' | 'connected' | 'shortDrx' | 'longDrx';
export type UmtsState = 'idle' | 'promotion' | 'dch' | 'fach';
export type WifiState = 'idle' | 'active' | 'tail';
export type RadioState = LteState | UmtsState | WifiState;

/** A state held for a fixed time at a constant power. */
export interface TimedPhase {
  state: RadioState;
  durationMs: number;
  powerWatts: number;
}

/** A tail state; traffic in it goes back to active, through `promotion` when not null. */
export interface TailPhase extends TimedPhase {
  promotion: TimedPhase | null;
}

/** Periodic paging in idle: a pulse of `durationMs` at `powerWatts` every `periodMs`. */
export interface Paging {
  durationMs: number;
  periodMs: number;
  powerWatts: number;
}

export interface MachineSpec {
  technology: Technology;
  /** Every state of this technology, in lifecycle order (reports list them in this order). */
  states: readonly RadioState[];
  idle: { state: 'idle'; powerWatts: number; paging: Paging | null };
  /** Promotion out of idle, or null when data flows at once (WiFi). */
  promotion: TimedPhase | null;
  active: {
    state: RadioState;
    /** Power with no data (LTE β). */
    powerWatts: number;
    /** How long the state holds after the last byte (LTE inactivity timer, 3G DCH timer). */
    holdMs: number;
    alphaUpWattsPerMbps: number;
    alphaDownWattsPerMbps: number;
  };
  tail: readonly TailPhase[];
}

export interface MachineOptions {
  /**
   * LTE only. false (default): DRX draws the average tail power `tailWatts`, as the anchors
   * state it. true: add one wake-up (`drxWakeupSeconds` at `drxWakeupWatts`) per DRX cycle,
   * averaged over the cycle, as ARO's own energy formula does.
   */
  drxWakeups?: boolean;
}

const MS_PER_S = 1000;

/** The machine for a model. */
export function machineSpec(model: RadioModel, options: MachineOptions = {}): MachineSpec {
  switch (model.technology) {
    case 'lte':
      return lteSpec(model, options.drxWakeups ?? false);
    case '3g':
      return umtsSpec(model);
    case 'wifi':
      return wifiSpec(model);
  }
}

function lteSpec(m: LteModel, drxWakeups: boolean): MachineSpec {
  /** Average DRX power over one cycle: a wake-up at its power, the rest at the tail power. */
  const drxWatts = (cycleSeconds: number): number =>
    drxWakeups
      ? (m.drxWakeupSeconds * m.drxWakeupWatts +
          (cycleSeconds - m.drxWakeupSeconds) * m.tailWatts) /
        cycleSeconds
      : m.tailWatts;
  return {
    technology: 'lte',
    states: ['idle', 'promotion', 'connected', 'shortDrx', 'longDrx'],
    idle: {
      state: 'idle',
      powerWatts: m.idleWatts,
      paging: {
        durationMs: m.idlePagingSeconds * MS_PER_S,
        periodMs: m.idlePagingPeriodSeconds * MS_PER_S,
        powerWatts: m.idlePagingWatts,
      },
    },
    promotion: phase('promotion', m.promotionSeconds, m.promotionWatts),
    active: {
      state: 'connected',
      powerWatts: m.betaWatts,
      holdMs: m.inactivityTimerSeconds * MS_PER_S,
      alphaUpWattsPerMbps: m.alphaUpMilliwattsPerMbps / 1000,
      alphaDownWattsPerMbps: m.alphaDownMilliwattsPerMbps / 1000,
    },
    tail: [
      {
        ...phase('shortDrx', m.shortDrxSeconds, drxWatts(m.shortDrxCycleSeconds)),
        promotion: null,
      },
      { ...phase('longDrx', m.longDrxSeconds, drxWatts(m.longDrxCycleSeconds)), promotion: null },
    ],
  };
}

function umtsSpec(m: UmtsModel): MachineSpec {
  return {
    technology: '3g',
    states: ['idle', 'promotion', 'dch', 'fach'],
    idle: { state: 'idle', powerWatts: m.idleWatts, paging: null },
    promotion: phase('promotion', m.promotionSeconds, m.promotionWatts),
    active: {
      state: 'dch',
      powerWatts: m.dchWatts,
      holdMs: m.dchToFachSeconds * MS_PER_S,
      alphaUpWattsPerMbps: 0,
      alphaDownWattsPerMbps: 0,
    },
    tail: [
      {
        ...phase('fach', m.fachToIdleSeconds, m.fachWatts),
        promotion: phase('promotion', m.fachToDchPromotionSeconds, m.fachToDchPromotionWatts),
      },
    ],
  };
}

function wifiSpec(m: WifiModel): MachineSpec {
  return {
    technology: 'wifi',
    states: ['idle', 'active', 'tail'],
    idle: { state: 'idle', powerWatts: m.idleWatts, paging: null },
    promotion: null,
    active: {
      state: 'active',
      powerWatts: m.activeWatts,
      holdMs: 0,
      alphaUpWattsPerMbps: 0,
      alphaDownWattsPerMbps: 0,
    },
    tail: [{ ...phase('tail', m.tailSeconds, m.tailWatts), promotion: null }],
  };
}

function phase(state: RadioState, seconds: number, powerWatts: number): TimedPhase {
  return { state, durationMs: seconds * MS_PER_S, powerWatts };
}
