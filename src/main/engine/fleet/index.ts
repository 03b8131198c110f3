/**
 * `push-lab/fleet`: the few pieces an outside load tool (the Artillery engine in
 * packages/artillery-engine-push-lab) needs to run Push Lab's user agents and application
 * servers as its virtual users — a Fleet (start it from a script's target and options, run a
 * VU's steps, make a link, a user agent, an application server), the step checker, the metric
 * names and the errors. Nothing else of the engine is promised to stay put.
 */
export { Fleet, PENDING_MESSAGES_MAX, POOL_MAX, ORIGINS_MAX } from './fleet';
export { FleetError, FLEET_ERROR_CODES, type FleetErrorCode } from './errors';
export { FLEET_METRICS, errorMetric, type MetricsSink } from './metrics';
export { SENDS_IN_FLIGHT_MAX } from './virtual-user';
export {
  FLEET_DEFAULTS,
  FLEET_STEPS_MAX,
  MESSAGE_BYTES_MAX,
  MESSAGE_BYTES_MIN,
  type FleetOptionsInput,
  type FleetStep,
  type FleetStepInput,
} from './options';
