/**
 * The agent kinds a scenario may hold, in the order the World builds them: planned traffic
 * first (with the world), then each kind's groups as the world starts. Reordering the list
 * reorders agent starts, which changes every virtual run (test/unit/scenario/pinned-runs).
 */
import { appServerKind } from './app-server';
import { gatewayKind } from './gateway';
import type { AnyAgentKind } from './kind';
import { userAgentKind } from './user-agent';

export const AGENT_KINDS = [
  userAgentKind,
  gatewayKind,
  appServerKind,
] as const satisfies readonly AnyAgentKind[];

export type AgentKinds = typeof AGENT_KINDS;
/** A scenario section that lists agents: `userAgents`, `gateways`, `appServers`. */
export type AgentSection = AgentKinds[number]['section'];

export const AGENT_SECTIONS: readonly AgentSection[] = AGENT_KINDS.map((k) => k.section);
