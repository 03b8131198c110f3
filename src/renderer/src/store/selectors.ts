/**
 * Selectors return primitives or references already held by the model, so components
 * re-render only when the slice they show changes.
 */
import type { SubscriptionView } from '../../../shared/model';
import type { Table } from '../../../shared/table';
import type { LabState } from './lab-store';

export const selectStatus = (s: LabState) => s.status;
export const selectHasConnected = (s: LabState) => s.hasConnected;
export const selectActions = (s: LabState) => s.actions;
export const selectServices = (s: LabState) => s.model.services;
export const selectAgents = (s: LabState) => s.model.agents;
export const selectCounters = (s: LabState) => s.model.counters;
export const selectSubscriptions = (s: LabState) => s.model.subscriptions;
export const selectMessages = (s: LabState) => s.model.messages;
export const selectLabTime = (s: LabState) => s.model.t;
export const selectStartTime = (s: LabState) => s.model.startT ?? 0;
export const selectModelAt = (s: LabState) => s.modelAt;
/**
 * Lab milliseconds per local millisecond at the moment the views show: the run's pace while
 * it runs and the views follow it; 0 while they show a fixed moment (travelling, a recording,
 * a run paused, ended or failed) and for a run paced as fast as it goes (speed 0: its events
 * carry the time). The one answer every view's estimate of "now" between events reads
 * (useLabNow): an estimate that ran on at local pace showed TTL countdowns and the charts'
 * quiet seconds going on past a travelled moment or a paused run.
 */
export function selectLabPace(s: LabState): number {
  const run = s.run;
  if (s.travel !== null || run === null || run.state !== 'running') return 0;
  return run.speed > 0 ? run.speed : 0;
}

/**
 * The subscription whose queue is shown: the selected one while it exists, else the first
 * active one, else the first one, else null.
 */
export function selectCurrentSubscriptionId(s: LabState): string | null {
  const subs = s.model.subscriptions;
  const chosen = s.selectedSubscriptionId;
  if (chosen !== null && subs.has(chosen)) return chosen;
  return defaultSubscriptionId(subs);
}

/** Per table version: selectors run on every store update, and a scan may be long. */
const defaults = new WeakMap<Table<SubscriptionView>, string | null>();

function defaultSubscriptionId(subs: Table<SubscriptionView>): string | null {
  const cached = defaults.get(subs);
  if (cached !== undefined) return cached;
  let found: string | null = null;
  let first: string | null = null;
  for (const [id, sub] of subs) {
    if (sub.state === 'active') {
      found = id;
      break;
    }
    first ??= id;
  }
  found ??= first;
  defaults.set(subs, found);
  return found;
}

// ---- log, flows and inspector -------------------------------------------------------------
export const selectRecentEvents = (s: LabState) => s.recentEvents;
export const selectSelectedMessageId = (s: LabState) => s.selectedMessageId;
export const selectModelSeq = (s: LabState) => s.model.seq;

// ---- the workbench -------------------------------------------------------------------------
export const selectRun = (s: LabState) => s.run;
/**
 * The show's epoch (null before the first status): the one signal of a new show. A view
 * whose own React state belongs to one show keys it on this, as the store's slices do.
 */
export const selectEpoch = (s: LabState) => s.run?.epoch ?? null;
/**
 * The lab's "now": the lab time of the last event the show recorded, since its first (null
 * before a status). The engine derives it once (Timeline.spanMs, sent as status.elapsedMs);
 * the run bar and the timeline's end both show it, so they cannot disagree.
 */
export const selectLabNowMs = (s: LabState) => s.run?.elapsedMs ?? null;
export const selectTravel = (s: LabState) => s.travel;

// ---- agent and link facts (model-agents.ts), at the moment shown ---------------------------
export const selectLinkFacts = (s: LabState) => s.model.links;
export const selectAgentFacts = (s: LabState) => s.model.agentFacts;
export const selectEnergy = (s: LabState) => s.model.energy;
/**
 * Whether the lab may be changed from here: not while the views show the past (travel) or a
 * recording. Every control that changes the lab is locked by this one answer.
 */
export const selectCanChangeLab = (s: LabState) => s.travel === null && s.run?.mode !== 'replay';
