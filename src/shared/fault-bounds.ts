/**
 * A fault spec's own bounds beside its attributes' (which come as data with each fault type,
 * `FaultAttribute`): the name and the toxicity. The engine's schema (engine/net/spec.ts) and
 * the Links form's field problems both read them here. Kept apart from commands.ts so the
 * renderer reads them without bundling zod.
 */

/** Most characters in a fault's name. */
export const FAULT_NAME_CHARS_MAX = 64;
/** A fault's name: letters, digits, `_`, `.` and `-`, 1 to FAULT_NAME_CHARS_MAX of them. */
export const FAULT_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
/** Share of connections a fault applies to. */
export const FAULT_TOXICITY_MIN = 0;
export const FAULT_TOXICITY_MAX = 1;
