/**
 * The faults of one link: validation of adds and changes (all-or-nothing: a refused change
 * leaves everything as it was), names, and each fault's schedule. It decides *when* a fault
 * is on; the link applies it to connections through the hooks.
 */
import type { Clock, Timer } from '../clock/clock';
import type { Rng } from '../rng/rng';
import { NET_ERROR_CODES, NetError } from './errors';
import { STAGES } from './registry';
import { startSchedule } from './schedule';
import {
  FAULTS_MAX,
  freeName,
  hasName,
  parseFaultSpec,
  parseFaultSpecs,
  type FaultSpec,
} from './spec';
import type { FaultEvent, FaultInfo, LinkState } from './types';
import { preview } from './validation';

export interface FaultTableHooks {
  /** A fault went on: put its stages into every open connection. */
  activate(spec: FaultSpec): void;
  /** A fault went off or away: take its stages out (they release what they hold). */
  deactivate(name: string): void;
  /** An active fault got new attributes or toxicity. */
  update(spec: FaultSpec): void;
  /** Something listeners hear about happened (the link may have changed state). */
  changed(change: FaultEvent['change'], fault: FaultInfo, previous?: FaultInfo): void;
}

interface Entry {
  /** What the caller gave, merged with later changes (so defaults like loss's r follow p). */
  input: Record<string, unknown>;
  spec: FaultSpec;
  active: boolean;
  schedule: Timer | null;
}

export class FaultTable {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly linkId: string,
    private readonly deps: { clock: Clock; rng: Rng; startedAtMs: number },
    private readonly hooks: FaultTableHooks,
  ) {}

  add(input: unknown): FaultInfo {
    const parsed = valid(parseFaultSpec(input));
    // A fault added without a name takes a free one: its default may be taken (a preset's).
    const spec = hasName(input)
      ? parsed
      : { ...parsed, name: freeName(parsed.name, (n) => this.entries.has(n)) };
    const problems: string[] = [];
    if (this.entries.has(spec.name)) {
      problems.push(
        `name: already used by another fault (got "${spec.name}", allowed a name not in use)`,
      );
    }
    if (this.entries.size >= FAULTS_MAX) {
      problems.push(
        `(root): too many faults (got ${this.entries.size + 1}, allowed at most ${FAULTS_MAX})`,
      );
    }
    if (problems.length > 0) throw new NetError(NET_ERROR_CODES.BAD_FAULT, problems);
    return this.install(input as Record<string, unknown>, spec);
  }

  update(name: string, change: unknown): FaultInfo {
    const entry = this.entry(name);
    if (!isObject(change)) {
      throw new NetError(NET_ERROR_CODES.BAD_FAULT, [
        `(root): wrong type (got ${preview(change)}, allowed an object with the fields to change)`,
      ]);
    }
    const problems: string[] = [];
    for (const key of ['type', 'name'] as const) {
      if (key in change && change[key] !== entry.spec[key]) {
        problems.push(
          `${key}: cannot be changed (got ${preview(change[key])}, allowed "${entry.spec[key]}")`,
        );
      }
    }
    if (problems.length > 0) throw new NetError(NET_ERROR_CODES.BAD_FAULT, problems);
    const input = merge(entry.input, change);
    const spec = valid(parseFaultSpec(input));
    const previous = info(entry);
    const restart =
      spec.stream !== entry.spec.stream ||
      JSON.stringify(spec.schedule) !== JSON.stringify(entry.spec.schedule);
    entry.input = input;
    if (restart) {
      entry.schedule?.cancel();
      this.setActive(entry, false, true);
      entry.spec = spec;
      this.startSchedule(entry);
    } else {
      entry.spec = spec;
      if (entry.active) this.hooks.update(spec);
    }
    this.hooks.changed('changed', info(entry), previous);
    return info(entry);
  }

  remove(name: string): void {
    const entry = this.entry(name);
    entry.schedule?.cancel();
    this.setActive(entry, false, true);
    this.entries.delete(name);
    this.hooks.changed('removed', info(entry));
  }

  /** Replaces every fault; all-or-nothing. */
  set(inputs: readonly unknown[]): FaultInfo[] {
    const parsed = valid(parseFaultSpecs(inputs));
    for (const name of [...this.entries.keys()]) this.remove(name);
    return parsed.map((spec, i) => this.install(inputs[i] as Record<string, unknown>, spec));
  }

  list(): FaultInfo[] {
    return [...this.entries.values()].map(info);
  }

  /** Specs of the faults on now, in the order they were added (for a new connection). */
  active(): FaultSpec[] {
    return [...this.entries.values()].filter((e) => e.active).map((e) => e.spec);
  }

  /** down if a fault that takes the link down (outage) is on, impaired if any other is, else up. */
  state(): LinkState {
    let state: LinkState = 'up';
    for (const e of this.entries.values()) {
      if (!e.active) continue;
      if (STAGES.get(e.spec.type)?.takesLinkDown) return 'down';
      state = 'impaired';
    }
    return state;
  }

  /** Stops every schedule (the link is closing). */
  stop(): void {
    for (const entry of this.entries.values()) entry.schedule?.cancel();
  }

  private install(input: Record<string, unknown>, spec: FaultSpec): FaultInfo {
    const entry: Entry = { input, spec, active: false, schedule: null };
    this.entries.set(spec.name, entry);
    this.startSchedule(entry);
    this.hooks.changed('added', info(entry));
    return info(entry);
  }

  /** Starts the fault's schedule; its first on/off decision is silent (part of add/change). */
  private startSchedule(entry: Entry): void {
    let starting = true;
    const { clock, startedAtMs } = this.deps;
    const rng = this.deps.rng.fork(`schedule/${entry.spec.name}`);
    entry.schedule = startSchedule(entry.spec.schedule, { clock, rng, startedAtMs }, (on) =>
      this.setActive(entry, on, starting),
    );
    starting = false;
  }

  private setActive(entry: Entry, on: boolean, silent: boolean): void {
    if (entry.active === on) return;
    entry.active = on;
    if (on) this.hooks.activate(entry.spec);
    else this.hooks.deactivate(entry.spec.name);
    if (!silent) this.hooks.changed(on ? 'activated' : 'deactivated', info(entry));
  }

  private entry(name: string): Entry {
    const entry = this.entries.get(name);
    if (entry) return entry;
    const known = [...this.entries.keys()].join(', ') || 'none';
    throw new NetError(
      NET_ERROR_CODES.UNKNOWN_FAULT,
      `name: no such fault on link ${this.linkId} (got ${preview(name)}, allowed ${known})`,
    );
  }
}

function info(entry: Entry): FaultInfo {
  return { name: entry.spec.name, spec: entry.spec, active: entry.active };
}

function valid<T>(parsed: { ok: true; value: T } | { ok: false; problems: string[] }): T {
  if (!parsed.ok) throw new NetError(NET_ERROR_CODES.BAD_FAULT, parsed.problems);
  return parsed.value;
}

/** A change merged into a spec: top-level fields replace, attributes merge field by field. */
function merge(
  base: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const attributes =
    isObject(base.attributes) && isObject(patch.attributes)
      ? { ...base.attributes, ...patch.attributes }
      : (patch.attributes ?? base.attributes);
  return { ...base, ...patch, attributes };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
