/**
 * Turns an edit of the selected links' faults into `link.faults` calls. The command replaces a
 * link's whole fault list with one list for every id it names, so links whose lists come out
 * different are sent in separate calls (one per distinct list). Pure.
 */
import type { LinkView } from '../../../../shared/workbench';

export type FaultSpecValue = Record<string, unknown>;

/** The name of the outage the quick "Cut" adds and "Restore" removes. */
export const CUT_FAULT_NAME = 'cut';
/** The quick cut: an outage that resets open connections and refuses new ones. */
export const CUT_FAULT: FaultSpecValue & { name: string } = {
  type: 'outage',
  name: CUT_FAULT_NAME,
  attributes: { mode: 'reset' },
};

export type FaultEdit =
  /** Every selected link gets exactly these faults (a preset, or none to clear). */
  | { kind: 'set'; faults: FaultSpecValue[] }
  /** Appended to each link's faults (a taken name is the engine's to refuse). */
  | { kind: 'add'; fault: FaultSpecValue }
  /** Replaces the fault called `name`, in place, where a link has one. */
  | { kind: 'change'; name: string; fault: FaultSpecValue }
  /** Replaces the fault of the same name where there is one, else appends it. */
  | { kind: 'upsert'; fault: FaultSpecValue & { name: string } }
  /** Takes the fault called `name` off the links that have it. */
  | { kind: 'remove'; name: string };

export interface FaultCall {
  linkIds: string[];
  faults: FaultSpecValue[];
}

/** A link's faults as specs that can be sent back unchanged (each with its name). */
export function currentSpecs(link: LinkView): FaultSpecValue[] {
  return link.faults.map((f) => ({ ...f.spec, name: f.name }));
}

const nameOf = (spec: FaultSpecValue): unknown => spec.name;

/**
 * Whether `spec` already says everything `wanted` says (every field of `wanted`, nested, is
 * the same in `spec`): the engine fills in defaults, so a spec it lists has more fields.
 */
export function covers(spec: unknown, wanted: unknown): boolean {
  if (Array.isArray(wanted)) {
    return (
      Array.isArray(spec) &&
      spec.length === wanted.length &&
      wanted.every((w, i) => covers(spec[i], w))
    );
  }
  if (typeof wanted === 'object' && wanted !== null) {
    if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) return false;
    const have = spec as Record<string, unknown>;
    return Object.entries(wanted).every(([k, w]) => covers(have[k], w));
  }
  return spec === wanted;
}

/** The link's fault list after `edit`, or null when the edit leaves this link as it is. */
export function applyEdit(
  specs: readonly FaultSpecValue[],
  edit: FaultEdit,
): FaultSpecValue[] | null {
  switch (edit.kind) {
    case 'set':
      return [...edit.faults];
    case 'add':
      return [...specs, edit.fault];
    case 'change':
      if (!specs.some((s) => nameOf(s) === edit.name)) return null;
      return specs.map((s) => (nameOf(s) === edit.name ? edit.fault : s));
    case 'upsert': {
      const at = specs.findIndex((s) => nameOf(s) === edit.fault.name);
      if (at < 0) return [...specs, edit.fault];
      if (covers(specs[at], edit.fault)) return null;
      return specs.map((s, i) => (i === at ? edit.fault : s));
    }
    case 'remove':
      if (!specs.some((s) => nameOf(s) === edit.name)) return null;
      return specs.filter((s) => nameOf(s) !== edit.name);
  }
}

/**
 * The calls that make `edit` on the selected links: one per distinct resulting list, in the
 * order the links are listed. Links the edit leaves as they are get no call: a change or
 * removal of a fault they do not have, a cut of a link that is cut already.
 */
export function planEdit(
  links: readonly LinkView[],
  selected: ReadonlySet<string>,
  edit: FaultEdit,
): FaultCall[] {
  const calls = new Map<string, FaultCall>();
  for (const link of links) {
    if (!selected.has(link.id)) continue;
    const after = applyEdit(currentSpecs(link), edit);
    if (after === null) continue;
    const key = JSON.stringify(after);
    const call = calls.get(key);
    if (call) call.linkIds.push(link.id);
    else calls.set(key, { linkIds: [link.id], faults: after });
  }
  return [...calls.values()];
}
