/**
 * Every stage type, by its lowercase name: the names fault specs use in `type`. The one list:
 * the spec schema, the Links form and docs/faults.md's table (checked by a test) follow it.
 */
import type { FaultTypeView } from '../../../shared/workbench';
import type { StageDefinition } from './stage';
import { bandwidth } from './stages/bandwidth';
import { idleTimeout } from './stages/idle-timeout';
import { latency } from './stages/latency';
import { limitData } from './stages/limit-data';
import { loss } from './stages/loss';
import { outage } from './stages/outage';
import { resetPeer } from './stages/reset-peer';
import { slicer } from './stages/slicer';
import { slowClose } from './stages/slow-close';
import { timeout } from './stages/timeout';

/** In the order docs/faults.md lists them. */
export const STAGE_DEFINITIONS = [
  latency,
  bandwidth,
  slowClose,
  timeout,
  resetPeer,
  slicer,
  limitData,
  loss,
  outage,
  idleTimeout,
] as const;

export type FaultType = (typeof STAGE_DEFINITIONS)[number]['type'];

export const STAGES: ReadonlyMap<string, StageDefinition> = new Map(
  STAGE_DEFINITIONS.map((def) => [def.type, def as StageDefinition]),
);

/** Every fault type as data, for forms and docs (the order of STAGE_DEFINITIONS). */
export function faultTypeViews(): FaultTypeView[] {
  return STAGE_DEFINITIONS.map((def) => ({
    type: def.type,
    defaultStream: def.defaultStream,
    takesLinkDown: def.takesLinkDown,
    attributes: def.attributes,
  }));
}
