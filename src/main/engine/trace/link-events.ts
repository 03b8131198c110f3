/**
 * A link's facts as events — what the model's links table folds (shared/model-agents.ts):
 * the one translation from a Link's listener to `link.faults`, `link.changed` and
 * `link.reset`, used by a scenario's world for its agents' links and by the sandbox for the
 * proxies it shows.
 */
import type { LabEventBody } from '../../../shared/events';
import type { Link } from '../net/link';
import type { LinkListener, LinkState } from '../net/types';

/** A link's faults with their attributes, as the model and the Links view need them. */
export function linkFaultsEvent(link: Link, agentId: string): LabEventBody {
  return {
    kind: 'link.faults',
    linkId: link.id,
    agentId,
    state: link.state(),
    faults: link.faultViews(),
  };
}

/** The link's state changed (a fault went on or off, an outage began, …). */
export function linkChangedEvent(link: Link, state: LinkState): LabEventBody {
  return {
    kind: 'link.changed',
    linkId: link.id,
    state,
    faults: link
      .faults()
      .filter((f) => f.active)
      .map((f) => f.spec.type),
  };
}

/** A Link listener that tells `emit` each of the link's state, fault and reset changes. */
export function linkEventListener(
  link: Link,
  agentId: string,
  emit: (event: LabEventBody) => void,
): LinkListener {
  return {
    onState: (e) => emit(linkChangedEvent(link, e.state)),
    onFault: () => emit(linkFaultsEvent(link, agentId)),
    onConnection: (e) => {
      if (e.kind === 'reset') emit({ kind: 'link.reset', linkId: link.id, reason: e.reason });
    },
  };
}
