/**
 * Which links the Links view has selected, and the templates they came from (link ids are
 * '<template>:<agentId>'). Pure: every function returns a new set and leaves its inputs alone.
 */
import type { LinkView } from '../../../../shared/workbench';

/** The template a link instance came from: its id up to the first ':' (the id without one). */
export function templateOf(linkId: string): string {
  const cut = linkId.indexOf(':');
  return cut < 0 ? linkId : linkId.slice(0, cut);
}

export interface TemplateGroup {
  template: string;
  linkIds: string[];
}

/** The templates of `links`, in the order they first appear, each with its link ids. */
export function groupByTemplate(links: readonly LinkView[]): TemplateGroup[] {
  const groups = new Map<string, string[]>();
  for (const link of links) {
    const template = templateOf(link.id);
    const ids = groups.get(template);
    if (ids) ids.push(link.id);
    else groups.set(template, [link.id]);
  }
  return [...groups].map(([template, linkIds]) => ({ template, linkIds }));
}

/** `selected` with `id` added, or taken out when it was in. */
export function toggleLink(selected: ReadonlySet<string>, id: string): Set<string> {
  const next = new Set(selected);
  if (!next.delete(id)) next.add(id);
  return next;
}

/** Every listed link of `template`. */
export function selectTemplate(links: readonly LinkView[], template: string): Set<string> {
  return new Set(links.filter((l) => templateOf(l.id) === template).map((l) => l.id));
}

/** All listed links, or none when all of them are selected already. */
export function toggleAll(links: readonly LinkView[], selected: ReadonlySet<string>): Set<string> {
  const all = links.length > 0 && links.every((l) => selected.has(l.id));
  return all ? new Set() : new Set(links.map((l) => l.id));
}

/** The selection without the links no longer listed; `selected` itself when none went. */
export function pruneSelection(
  selected: ReadonlySet<string>,
  links: readonly LinkView[],
): ReadonlySet<string> {
  if (selected.size === 0) return selected;
  const listed = new Set(links.map((l) => l.id));
  for (const id of selected) {
    if (!listed.has(id)) return new Set([...selected].filter((s) => listed.has(s)));
  }
  return selected;
}
