/** The fleet engine's errors: one class, a stable code each. */
import { LabError } from '../errors';

export const FLEET_ERROR_CODES = {
  /** The script's target, options or flow are not what the engine takes. */
  BAD_SCRIPT: 'ERR_FLEET_BAD_SCRIPT',
  /** A send `to: self` before the VU subscribed. */
  NOT_SUBSCRIBED: 'ERR_FLEET_NOT_SUBSCRIBED',
  /** The service refused or did not answer a subscription. */
  SUBSCRIBE_FAILED: 'ERR_FLEET_SUBSCRIBE_FAILED',
} as const;

export type FleetErrorCode = (typeof FLEET_ERROR_CODES)[keyof typeof FLEET_ERROR_CODES];

export class FleetError extends LabError {
  override readonly name = 'FleetError';
  declare readonly code: FleetErrorCode;

  constructor(code: FleetErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}
