/**
 * What the run bar says of the run's state, pure: the lab's word while connected, "unknown"
 * once the connection is lost (a run the bar last saw running may have ended or died with
 * the lab), and how far a starting fleet has come.
 */
import { formatCount } from '../../../../shared/format';
import type { RunState, StartProgress } from '../../../../shared/workbench';
import type { ConnectionStatus } from '../../bridge/client';

export interface ShownState {
  /** The CSS and test state: the run's, or 'unknown'. */
  state: RunState | 'unknown' | 'none';
  /** The word shown. */
  label: string;
  /** Why, when the state is not the lab's own word. */
  title: string | undefined;
}

export function shownRunState(state: RunState | null, connection: ConnectionStatus): ShownState {
  if (state === null) return { state: 'none', label: '–', title: undefined };
  if (connection !== 'open') {
    return {
      state: 'unknown',
      label: 'unknown',
      title: `Last seen ${state}; the connection to the lab is lost, so what the run does now is not known`,
    };
  }
  return { state, label: state, title: undefined };
}

/** `1,234 of 5,000 agents connected · 800 of 5,000 subscriptions`. */
export function startingText(p: StartProgress): string {
  const agents = `${formatCount(p.agents)} of ${formatCount(p.agentsTotal)} agents connected`;
  return p.subscriptionsTotal > 0
    ? `${agents} · ${formatCount(p.subscriptions)} of ${formatCount(p.subscriptionsTotal)} subscriptions`
    : agents;
}

/** The share done, 0–1, for a progress bar (agents and subscriptions weigh alike). */
export function startingShare(p: StartProgress): number {
  const total = p.agentsTotal + p.subscriptionsTotal;
  return total === 0 ? 1 : Math.min(1, (p.agents + p.subscriptions) / total);
}
