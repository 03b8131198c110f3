/**
 * The links of a running world as the Links view sees them, and changing their faults while
 * traffic flows: all-or-nothing across every link named (one invalid fault changes none).
 */
import {
  LINKS_LISTED_MAX,
  type LinksInfo,
  type LinkView,
  type PresetView,
} from '../../../shared/workbench';
import { agentOfLink } from '../../../shared/model-agents';
import { NET_ERROR_CODES, NetError } from '../net/errors';
import type { Link } from '../net/link';
import { networkPresets, presetFaults } from '../net/presets';
import { faultTypeViews } from '../net/registry';
import { parseFaultSpecs, type FaultSpec } from '../net/spec';

export function linkView(link: Link): LinkView {
  return {
    id: link.id,
    agentId: agentOfLink(link.id),
    state: link.state(),
    faults: link.faultViews(),
    counters: link.counters() as unknown as Record<string, number>,
    connections: link.connections().length,
  };
}

export function linksInfo(links: readonly Link[]): LinksInfo {
  return {
    links: links.slice(0, LINKS_LISTED_MAX).map(linkView),
    presets: presetViews(),
    faultTypes: faultTypeViews(),
  };
}

let presetCache: PresetView[] | null = null;

function presetViews(): PresetView[] {
  presetCache ??= networkPresets().map((p) => ({
    name: p.name,
    description: `${p.label} — ${p.source}`,
    faults: presetFaults(p.name) as unknown as Record<string, unknown>[],
  }));
  return presetCache;
}

/**
 * Replaces the faults of each named link. Every id and every fault is checked before any
 * link changes; the error names the link or the fault field, the value and what is allowed.
 */
export function setLinkFaults(
  all: readonly Link[],
  linkIds: readonly string[],
  faults: readonly unknown[],
): LinkView[] {
  const byId = new Map(all.map((l) => [l.id, l]));
  const missing = linkIds.filter((id) => !byId.has(id));
  if (missing.length > 0) {
    const known = all.length === 0 ? 'this lab has no links' : `e.g. ${all[0]!.id}`;
    throw new NetError(
      NET_ERROR_CODES.UNKNOWN_LINK,
      `linkIds: no link "${missing[0]}"${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}; ${known}`,
    );
  }
  const parsed = parseFaultSpecs(faults);
  if (!parsed.ok) {
    throw new NetError(
      NET_ERROR_CODES.BAD_FAULT,
      parsed.problems.map((p) => (p.startsWith('[') ? `faults${p}` : `faults.${p}`)).join('; '),
    );
  }
  const links = linkIds.map((id) => byId.get(id)!);
  for (const link of links) reconcile(link, parsed.value);
  return links.map(linkView);
}

/**
 * Makes `link`'s faults `wanted` by name: a fault whose spec is unchanged is left running
 * (its schedule does not restart), a changed one is updated, the rest added or removed.
 */
function reconcile(link: Link, wanted: readonly FaultSpec[]): void {
  const current = new Map(link.faults().map((f) => [f.name, f]));
  const names = new Set(wanted.map((f) => f.name));
  for (const name of current.keys()) if (!names.has(name)) link.removeFault(name);
  for (const spec of wanted) {
    const now = current.get(spec.name);
    if (now && JSON.stringify(now.spec) === JSON.stringify(spec)) continue;
    if (now && now.spec.type === spec.type) {
      link.updateFault(spec.name, spec);
      continue;
    }
    // New, or the same name for another type of fault (a type cannot change in place).
    if (now) link.removeFault(spec.name);
    link.addFault(spec);
  }
}
