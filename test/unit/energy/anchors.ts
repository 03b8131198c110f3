/**
 * The anchor parameters (../shared/docs/anchors.md, "Radio energy"), typed in by hand so the
 * tests compute expected joules independently of resources/radio-models.json, plus the small
 * traffic scenarios several tests and docs/energy.md share.
 */
import { VirtualClock } from '../../../src/main/engine/clock/virtual';
import { Radio, radioModel, type RadioOptions } from '../../../src/main/engine/energy';

export const LTE = {
  promotionS: 0.26,
  promotionW: 1.21,
  inactivityS: 0.1,
  betaW: 1.2,
  alphaUpWPerMbps: 0.43839,
  alphaDownWPerMbps: 0.05197,
  shortDrxS: 0.02,
  longDrxS: 10,
  tailW: 1.06,
  drxWakeupS: 0.002,
  drxWakeupW: 1.68,
  shortDrxCycleS: 0.02,
  longDrxCycleS: 0.04,
  pagingS: 0.043,
  pagingW: 0.594,
  pagingPeriodS: 1.28,
};
export const UMTS = {
  promotionS: 2.0,
  promotionW: 0.53,
  dchS: 5,
  dchW: 0.7,
  fachS: 12,
  fachW: 0.35,
  fachToDchS: 1.5,
  fachToDchW: 0.55,
};
export const WIFI = { tailS: 0.25, activeW: 0.403, idleW: 0.02 };

/** A small push: the message down and its acknowledgement up, a few hundred bytes each. */
export const PUSH_DOWN_BYTES = 300;
export const PUSH_UP_BYTES = 200;
/** A keepalive: a ping one way and its answer the other, 100 bytes each (headers included). */
export const KEEPALIVE_BYTES = 100;

/** Joules of `bytes` at the given α (W/Mbps), i.e. α·bits/10⁶. */
export function dataJoules(alphaWPerMbps: number, bytes: number): number {
  return (alphaWPerMbps * bytes * 8) / 1e6;
}

/** LTE milliseconds from the traffic to idle again, for data that flows at promotion end. */
export const LTE_BUSY_MS = (LTE.promotionS + LTE.inactivityS + LTE.shortDrxS + LTE.longDrxS) * 1000;
export const UMTS_BUSY_MS = (UMTS.promotionS + UMTS.dchS + UMTS.fachS) * 1000;
export const WIFI_BUSY_MS = WIFI.tailS * 1000;

/** A radio on a fresh virtual clock at 0. */
export function radioAt0(
  name: string,
  extra: Partial<RadioOptions> = {},
): { clock: VirtualClock; radio: Radio } {
  const clock = new VirtualClock(0);
  return { clock, radio: new Radio({ model: radioModel(name), clock, ...extra }) };
}

/** One push to an idle radio at 0, acknowledged as soon as the bytes can flow. */
export function isolatedPush(name: string, extra: Partial<RadioOptions> = {}): Radio {
  const { radio } = radioAt0(name, extra);
  const readyAtMs = radio.traffic('down', PUSH_DOWN_BYTES, 0);
  radio.traffic('up', PUSH_UP_BYTES, readyAtMs);
  return radio;
}

/** A day of keepalives every `periodMs` from 0 (down then up at once); the radio at the end. */
export function keepaliveDay(
  name: string,
  periodMs: number,
): { clock: VirtualClock; radio: Radio } {
  const { clock, radio } = radioAt0(name);
  for (let atMs = 0; atMs < DAY_MS; atMs += periodMs) {
    clock.runUntil(atMs);
    const readyAtMs = radio.traffic('down', KEEPALIVE_BYTES, atMs);
    radio.traffic('up', KEEPALIVE_BYTES, Math.max(atMs, readyAtMs));
  }
  clock.runUntil(DAY_MS);
  return { clock, radio };
}

export const DAY_MS = 86_400_000;
