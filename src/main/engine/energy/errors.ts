/**
 * Stable error codes for the energy layer. Callers branch on `code`, never on `message`.
 * All of them are programming or configuration errors: traffic itself never throws.
 */
import { LabError } from '../errors';

export const ENERGY_ERROR_CODES = {
  /** A radio model file or object fails validation; the message names the field and value. */
  BAD_MODEL: 'ERR_ENERGY_BAD_MODEL',
  /** Traffic or a query is timed before what the radio already accounted or reported. */
  TIME_ORDER: 'ERR_ENERGY_TIME_ORDER',
  /** Traffic with a negative or non-finite byte count or duration. */
  BAD_TRAFFIC: 'ERR_ENERGY_BAD_TRAFFIC',
  /** A bound was hit (devices per meter). */
  LIMIT: 'ERR_ENERGY_LIMIT',
  /** A device id the meter does not know, or one it already knows. */
  BAD_DEVICE: 'ERR_ENERGY_BAD_DEVICE',
} as const;

export type EnergyErrorCode = (typeof ENERGY_ERROR_CODES)[keyof typeof ENERGY_ERROR_CODES];

/** The one error type thrown by src/main/engine/energy; `code` is stable, `message` is for humans. */
export class EnergyError extends LabError {
  override readonly name = 'EnergyError';
  declare readonly code: EnergyErrorCode;

  constructor(code: EnergyErrorCode, message: string) {
    super(code, message);
  }
}
