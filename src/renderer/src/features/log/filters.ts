/**
 * The log's pure helpers: kind groups, the filter, and how one event is shown in a row.
 * No React here, so it is unit-tested in node.
 */
import type { LabEvent, LabEventKind } from '../../../../shared/events';

/** Kind prefixes offered as filter chips, in display order. */
export const KIND_GROUPS = [
  'message',
  'subscription',
  'send',
  'receipt',
  'agent',
  'service',
  'device',
  'radio',
  'energy',
  'link',
  'limit',
  'store',
  'lab',
] as const;

export type KindGroup = (typeof KIND_GROUPS)[number];

/** 'message.pushed' → 'message'. */
export function kindGroup(kind: LabEventKind): string {
  const dot = kind.indexOf('.');
  return dot < 0 ? kind : kind.slice(0, dot);
}

export interface LogFilter {
  /** Kind prefixes to show; empty shows every kind. */
  groups: ReadonlySet<string>;
  /** Substring of any id the event carries (agent, service, subscription, message, ...). */
  actor: string;
  /** Substring of the event's JSON. */
  text: string;
}

export const EMPTY_FILTER: LogFilter = { groups: new Set(), actor: '', text: '' };

/** The id fields an event may carry, in the order rows show them. */
export const ID_FIELDS = [
  'serviceId',
  'agentId',
  'gatewayId',
  'deviceId',
  'subscriptionId',
  'messageId',
  'byMessageId',
  'senderId',
  'linkId',
  'subjectId',
] as const;

/** Short names for the ids, for compact rows. */
export const ID_LABELS: Readonly<Record<(typeof ID_FIELDS)[number], string>> = {
  serviceId: 'svc',
  agentId: 'agent',
  gatewayId: 'gw',
  deviceId: 'dev',
  subscriptionId: 'sub',
  messageId: 'msg',
  byMessageId: 'by',
  senderId: 'sender',
  linkId: 'link',
  subjectId: 'subject',
};

const ID_SET: ReadonlySet<string> = new Set<string>(ID_FIELDS);
const HIDDEN: ReadonlySet<string> = new Set(['seq', 't', 'kind']);

const fields = (e: LabEvent) => e as unknown as Readonly<Record<string, unknown>>;

export type IdField = (typeof ID_FIELDS)[number];

/** The ids an event carries, as [field, value] pairs (null ids left out). */
export function eventIds(e: LabEvent): [IdField, string][] {
  const rec = fields(e);
  const out: [IdField, string][] = [];
  for (const key of ID_FIELDS) {
    const v = rec[key];
    if (typeof v === 'string') out.push([key, v]);
  }
  return out;
}

/** The message an event is about, if any (for selecting it from a row). */
export function messageIdOf(e: LabEvent): string | null {
  const v = fields(e)['messageId'];
  return typeof v === 'string' ? v : null;
}

/** Everything but seq, t, kind and the ids, as `key=value` pairs. */
export function eventRest(e: LabEvent): string {
  const rec = fields(e);
  const parts: string[] = [];
  for (const key of Object.keys(rec)) {
    if (HIDDEN.has(key) || ID_SET.has(key)) continue;
    const v = rec[key];
    if (v === null || v === undefined) continue;
    parts.push(`${key}=${formatValue(v)}`);
  }
  return parts.join(' ');
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return /[\s=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  if (Array.isArray(v)) return `[${v.map(formatValue).join(',')}]`;
  // A record (a link's counters): its fields, not "[object Object]".
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v as Record<string, unknown>);
    return `{${entries.map(([k, x]) => `${k}:${formatValue(x)}`).join(',')}}`;
  }
  return String(v);
}

const jsonCache = new WeakMap<LabEvent, string>();

/** The event's JSON, lower-cased (events are immutable, so it is computed once per event). */
export function eventJson(e: LabEvent): string {
  let json = jsonCache.get(e);
  if (json === undefined) {
    json = JSON.stringify(e).toLowerCase();
    jsonCache.set(e, json);
  }
  return json;
}

export function isEmptyFilter(f: LogFilter): boolean {
  return f.groups.size === 0 && f.actor.trim() === '' && f.text.trim() === '';
}

/** A predicate for `f` (normalised once, applied to many events). */
export function eventMatcher(f: LogFilter): (e: LabEvent) => boolean {
  const actor = f.actor.trim().toLowerCase();
  const text = f.text.trim().toLowerCase();
  const groups = f.groups;
  return (e) => {
    if (groups.size > 0 && !groups.has(kindGroup(e.kind))) return false;
    if (actor !== '' && !eventIds(e).some(([, id]) => id.toLowerCase().includes(actor))) {
      return false;
    }
    if (text !== '' && !eventJson(e).includes(text)) return false;
    return true;
  };
}

/** The events that pass `f`, in order; `events` itself when nothing is filtered. */
export function filterEvents(events: readonly LabEvent[], f: LogFilter): readonly LabEvent[] {
  if (isEmptyFilter(f)) return events;
  return events.filter(eventMatcher(f));
}

/** Lab time relative to the lab's start as `mm:ss.mmm` (`h:mm:ss.mmm` past an hour). */
export function formatOffset(ms: number): string {
  const total = Math.max(0, Math.floor(ms));
  const milli = total % 1000;
  const totalSeconds = Math.floor(total / 1000);
  const s = totalSeconds % 60;
  const m = Math.floor(totalSeconds / 60) % 60;
  const h = Math.floor(totalSeconds / 3600);
  const mmss = `${pad(m, 2)}:${pad(s, 2)}.${pad(milli, 3)}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Events that arrived since the log was paused at `pausedSeq`. */
export function countNewer(pausedSeq: number, latestSeq: number): number {
  return Math.max(0, latestSeq - pausedSeq);
}
