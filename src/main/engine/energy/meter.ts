/**
 * Adds up the radios of a fleet: joules in total, per device class, per device and per state,
 * and joules per delivered message once deliveries are reported. Queries only: reading a
 * report changes nothing, so the UI may ask as often as it likes.
 */
import type { Clock } from '../clock/clock';
import { ENERGY_ERROR_CODES, EnergyError } from './errors';
import type { RadioState } from './machine';
import type { Radio } from './radio';
import type { Technology } from './radio-models';

export interface EnergyMeterOptions {
  /** Default time for reports. */
  clock: Clock;
  /** Bound on devices; adding one more throws ERR_ENERGY_LIMIT. Default 100,000. */
  deviceCountMax?: number;
}

/** Joules and time in one state. */
export interface StateEnergy {
  joules: number;
  durationMs: number;
}

export interface DeviceEnergy {
  deviceId: string;
  deviceClass: string;
  technology: Technology;
  state: RadioState;
  joules: number;
  deliveredCount: number;
  /** null until something was delivered. */
  joulesPerDeliveredMessage: number | null;
  /** By plain state name ('idle', 'longDrx', …). */
  byState: Record<string, StateEnergy>;
}

export interface EnergyTotals {
  deviceCount: number;
  joules: number;
  deliveredCount: number;
  joulesPerDeliveredMessage: number | null;
  /** By `technology.state` ('lte.longDrx', '3g.fach', …): classes may mix technologies. */
  byState: Record<string, StateEnergy>;
}

export interface EnergyReport {
  untilMs: number;
  total: EnergyTotals;
  byClass: Record<string, EnergyTotals>;
  devices: DeviceEnergy[];
}

interface Entry {
  deviceClass: string;
  radio: Radio;
  deliveredCount: number;
}

export class EnergyMeter {
  private readonly clock: Clock;
  private readonly deviceCountMax: number;
  private readonly devices = new Map<string, Entry>();

  constructor(options: EnergyMeterOptions) {
    this.clock = options.clock;
    this.deviceCountMax = options.deviceCountMax ?? 100_000;
  }

  /** Starts metering `radio` as device `deviceId` of `deviceClass` (e.g. 'phone-lte'). */
  add(deviceId: string, deviceClass: string, radio: Radio): void {
    if (this.devices.has(deviceId)) {
      throw new EnergyError(
        ENERGY_ERROR_CODES.BAD_DEVICE,
        `meter: device ${deviceId} already added`,
      );
    }
    if (this.devices.size >= this.deviceCountMax) {
      throw new EnergyError(
        ENERGY_ERROR_CODES.LIMIT,
        `meter: device ${deviceId} would exceed deviceCountMax ${this.deviceCountMax}`,
      );
    }
    this.devices.set(deviceId, { deviceClass, radio, deliveredCount: 0 });
  }

  /** The radio of a device, if metered. */
  radio(deviceId: string): Radio | undefined {
    return this.devices.get(deviceId)?.radio;
  }

  /** Counts `count` messages delivered to the device (for joules per delivered message). */
  delivered(deviceId: string, count = 1): void {
    const entry = this.devices.get(deviceId);
    if (!entry)
      throw new EnergyError(ENERGY_ERROR_CODES.BAD_DEVICE, `meter: no device ${deviceId}`);
    entry.deliveredCount += count;
  }

  /**
   * Tells `visit` each device's class and joules up to `untilMs`, without the per-state
   * breakdown, in the order devices were added. A visitor rather than a generator: the
   * sampler asks this of every device at every sample, and a generator makes an entry and a
   * result object per device.
   */
  eachJoules(
    visit: (deviceId: string, deviceClass: string, joules: number) => void,
    untilMs = this.clock.now(),
  ): void {
    for (const [deviceId, entry] of this.devices) {
      visit(deviceId, entry.deviceClass, entry.radio.energyJoules(untilMs));
    }
  }

  /** Everything up to `untilMs` (default now; not before any radio's last traffic). */
  report(untilMs = this.clock.now()): EnergyReport {
    const total = emptyTotals();
    const byClass: Record<string, EnergyTotals> = {};
    const devices: DeviceEnergy[] = [];
    for (const [deviceId, entry] of this.devices) {
      const snap = entry.radio.snapshot(untilMs);
      const byState: Record<string, StateEnergy> = {};
      for (const state of entry.radio.states) {
        byState[state] = {
          joules: snap.energyJoulesByState[state] ?? 0,
          durationMs: snap.timeMsByState[state] ?? 0,
        };
      }
      const device: DeviceEnergy = {
        deviceId,
        deviceClass: entry.deviceClass,
        technology: entry.radio.technology,
        state: snap.state,
        joules: snap.energyJoules,
        deliveredCount: entry.deliveredCount,
        joulesPerDeliveredMessage: perMessage(snap.energyJoules, entry.deliveredCount),
        byState,
      };
      devices.push(device);
      addDevice(total, device);
      addDevice((byClass[entry.deviceClass] ??= emptyTotals()), device);
    }
    return { untilMs, total, byClass, devices };
  }
}

function emptyTotals(): EnergyTotals {
  return {
    deviceCount: 0,
    joules: 0,
    deliveredCount: 0,
    joulesPerDeliveredMessage: null,
    byState: {},
  };
}

function addDevice(totals: EnergyTotals, device: DeviceEnergy): void {
  totals.deviceCount++;
  totals.joules += device.joules;
  totals.deliveredCount += device.deliveredCount;
  totals.joulesPerDeliveredMessage = perMessage(totals.joules, totals.deliveredCount);
  for (const [state, value] of Object.entries(device.byState)) {
    const slot = (totals.byState[`${device.technology}.${state}`] ??= { joules: 0, durationMs: 0 });
    slot.joules += value.joules;
    slot.durationMs += value.durationMs;
  }
}

function perMessage(joules: number, count: number): number | null {
  return count > 0 ? joules / count : null;
}
