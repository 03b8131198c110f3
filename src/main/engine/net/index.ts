/**
 * Links and faults: the public face of src/main/engine/net. See docs/faults.md.
 */
export { Link, LINK_DEFAULTS, type LinkOptions } from './link';
export type { ConnectionInfo } from './connection';
export type { TcpProxy, TcpTarget } from './tcp';
export {
  faultSpecSchema,
  scheduleSchema,
  parseFaultSpec,
  parseFaultSpecs,
  FAULTS_MAX,
  type FaultSpec,
  type FaultSpecInput,
  type Schedule,
  type ParseResult,
} from './spec';
export { STAGES, STAGE_DEFINITIONS, faultTypeViews, type FaultType } from './registry';
export {
  Stage,
  defineStage,
  type StageContext,
  type StageDefinition,
  type ConnectionControl,
} from './stage';
export {
  GilbertElliott,
  gilbertElliottLossRate,
  type GilbertElliottParams,
} from './gilbert-elliott';
export { networkPresets, presetNames, presetFaults, type NetworkPreset } from './presets';
export { NetError, NET_ERROR_CODES, type NetErrorCode } from './errors';
export type * from './types';
