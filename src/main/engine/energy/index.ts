/** Radio energy: models as data, a per-device RRC state machine, and a fleet meter. */
export { ENERGY_ERROR_CODES, EnergyError, type EnergyErrorCode } from './errors';
export {
  machineSpec,
  type LteState,
  type MachineOptions,
  type MachineSpec,
  type RadioState,
  type UmtsState,
  type WifiState,
} from './machine';
export {
  EnergyMeter,
  type DeviceEnergy,
  type EnergyMeterOptions,
  type EnergyReport,
  type EnergyTotals,
  type StateEnergy,
} from './meter';
export {
  Radio,
  type Direction,
  type RadioOptions,
  type RadioSnapshot,
  type StateListener,
} from './radio';
export {
  DEFAULT_RADIO_MODELS,
  parseRadioModel,
  parseRadioModels,
  radioModel,
  type LteModel,
  type RadioModel,
  type RadioModelFile,
  type Technology,
  type UmtsModel,
  type WifiModel,
} from './radio-models';
