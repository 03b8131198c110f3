/**
 * The run report, computed from the event stream alone (plus optional extras the stream does
 * not carry: joules, link counters). Rows: per push service, per receiving agent class
 * (user-agent, gateway, device), per application server (sends), and the whole run.
 *
 * Which messages a class row covers (docs/traces.md has every definition):
 * - 'user-agent', 'gateway': messages on subscriptions their agents hold (subscription.created
 *   agentId → agent.started role); delivered = first message.received.
 * - 'device': messages on subscriptions held by gateways or devices (a field gateway receives
 *   for its devices), and any message a device.delivered names; delivered = first device.delivered.
 * Service, sender and total rows count a message delivered at its first message.received or
 * device.delivered, whichever comes first.
 *
 * Memory is bounded like the checker's: outstanding and recently finished messages only.
 */
import type { AgentRole, LabEvent, Profile } from '../../../shared/events';
import { stepMessage, type AcceptedLife } from '../../../shared/lifecycle';
import { naturalCompare } from '../../../shared/natural-order';
import { BoundedMap } from '../bounded-map';
import { InvariantChecker, type CheckerVerdicts, type CheckResult } from './checker';
import type { TraceGap } from './format';
import { MessageRow, bump, roundTo, sortedRecord, type MessageStats } from './report-rows';
import {
  RECEIVER_CLASSES,
  type ReceiverClass,
  type Report,
  type ReportExtras,
  type ReportOptions,
  type RunSpan,
} from './report-types';

export * from './report-types';

interface ServiceAcc {
  serviceId: string;
  profile: Profile | null;
  row: MessageRow;
  rejected: Map<string, number>;
  receiptsSent: Map<string, number>;
  connectionsOpened: number;
  disconnects: number;
}

interface ClassAcc {
  row: MessageRow;
  agentCount: number;
  connectionsOpened: number;
  disconnects: number;
}

interface SenderAcc {
  agentId: string;
  label: string;
  row: MessageRow;
  sendAttempts: number;
  retries: number;
  responses: Map<string, number>;
  rejected: Map<string, number>;
  receiptsReceived: Map<string, number>;
  connectionsOpened: number;
  disconnects: number;
}

/** One message's rows, and its life as the shared lifecycle folds it. */
interface MsgInfo {
  life: AcceptedLife;
  service: ServiceAcc;
  /** Rows delivered by message.received or device.delivered: totals, service, sender. */
  anyRows: MessageRow[];
  /** The holder's class row (user-agent or gateway), delivered by message.received. */
  receivedRow: MessageRow | null;
  /** The device class row, delivered by device.delivered. */
  deviceRow: MessageRow | null;
}

const OTHERS = '(others)';
/** Distinct (kind, code) pairs of error events the report counts; codes are few, so rarely hit. */
const ERROR_KEYS_MAX = 100;

export class ReportBuilder {
  /** Fed here unless the report reads a checker fed by its owner (`verdicts`). */
  private readonly ownChecker: InvariantChecker | null;
  private readonly checker: CheckerVerdicts;
  private readonly samplesMax: number | undefined;
  private readonly totals: MessageRow;
  private readonly services = new Map<string, ServiceAcc>();
  private readonly classes: Record<ReceiverClass, ClassAcc>;
  private readonly senders = new Map<string, SenderAcc>();
  private readonly agents: BoundedMap<string, { role: AgentRole; label: string }>;
  private readonly holders: BoundedMap<string, string | null>;
  private readonly active: BoundedMap<string, MsgInfo>;
  private readonly finished: BoundedMap<string, MsgInfo>;
  private readonly receiptsSent = new Map<string, number>();
  private readonly receiptsReceived = new Map<string, number>();
  private readonly linkResets = new Map<string, number>();
  private readonly limits = new Map<string, number>();
  private readonly errors = new Map<string, number>();
  private span: RunSpan = {
    eventCount: 0,
    firstSeq: null,
    lastSeq: null,
    firstT: null,
    lastT: null,
    durationMs: null,
  };
  private gapCount = 0;

  constructor(private readonly options: ReportOptions = {}) {
    this.ownChecker = options.verdicts ? null : new InvariantChecker(options.checker);
    this.checker = options.verdicts ?? this.ownChecker!;
    this.samplesMax = options.latencySamplesMax;
    this.totals = new MessageRow('any', this.samplesMax);
    const cls = (delivery: 'received' | 'device'): ClassAcc => ({
      row: new MessageRow(delivery, this.samplesMax),
      agentCount: 0,
      connectionsOpened: 0,
      disconnects: 0,
    });
    this.classes = {
      'user-agent': cls('received'),
      gateway: cls('received'),
      device: cls('device'),
    };
    const agentsMax = options.agentsMax ?? 1_000_000;
    this.agents = new BoundedMap(agentsMax);
    this.holders = new BoundedMap(agentsMax);
    this.active = new BoundedMap(options.messagesMax ?? 200_000);
    this.finished = new BoundedMap(options.finishedMessagesMax ?? 20_000);
  }

  /** Feeds one event, in stream order. */
  add(e: LabEvent): void {
    this.ownChecker?.check(e);
    this.span.eventCount += 1;
    this.span.firstSeq ??= e.seq;
    this.span.firstT ??= e.t;
    this.span.lastSeq = e.seq;
    this.span.lastT = e.t;
    switch (e.kind) {
      case 'service.started':
        this.service(e.serviceId).profile = e.profile;
        break;
      case 'agent.started':
        this.agents.set(e.agentId, { role: e.role, label: e.label });
        if (e.role === 'app-server') this.sender(e.agentId);
        else this.classes[e.role].agentCount += 1;
        break;
      case 'agent.connected':
      case 'agent.disconnected': {
        const key = e.kind === 'agent.connected' ? 'connectionsOpened' : 'disconnects';
        this.service(e.serviceId)[key] += 1;
        const role = this.agents.get(e.agentId)?.role;
        if (role === 'app-server') this.sender(e.agentId)[key] += 1;
        else if (role) this.classes[role][key] += 1;
        break;
      }
      case 'subscription.created':
        this.holders.set(e.subscriptionId, e.agentId);
        break;
      case 'message.accepted':
        this.onAccepted(e);
        break;
      case 'message.rejected':
        bump(this.service(e.serviceId).rejected, e.status);
        break;
      case 'message.pushed':
        if (e.attempt > 1) for (const row of this.rowsOf(e.messageId)) row.redeliveries += 1;
        this.step(e, e.messageId);
        break;
      case 'message.received':
        this.onReceived(e);
        break;
      case 'device.delivered':
        this.onDeviceDelivered(e);
        break;
      case 'message.acked':
      case 'message.expired':
      case 'message.replaced':
      case 'message.dropped':
        this.step(e, e.messageId);
        break;
      case 'receipt.sent': {
        bump(this.receiptsSent, e.status);
        const m = this.find(e.messageId);
        if (m) bump(m.service.receiptsSent, e.status);
        this.step(e, e.messageId);
        break;
      }
      case 'receipt.received':
        bump(this.receiptsReceived, e.status);
        bump(this.sender(e.agentId).receiptsReceived, e.status);
        break;
      case 'send.attempted': {
        const s = this.sender(e.agentId);
        s.sendAttempts += 1;
        if (e.attempt > 1) s.retries += 1;
        bump(s.responses, e.status);
        if (e.status >= 400) bump(s.rejected, e.status);
        break;
      }
      case 'link.reset':
        if (this.linkResets.has(e.linkId) || this.linkResets.size < 10_000)
          bump(this.linkResets, e.linkId);
        break;
      case 'limit.reached':
        bump(this.limits, e.what);
        break;
      case 'service.error':
      case 'lab.error': {
        // Keyed by kind and code: a bounded set (codes are constants, not free text).
        const key = `${e.kind} ${e.code}`;
        if (this.errors.has(key) || this.errors.size < ERROR_KEYS_MAX)
          bump(this.errors, key, 1 + e.suppressed);
        break;
      }
      default:
        break;
    }
  }

  /** The trace lost these seqs (a writer gap record). */
  noteGap(gap: Pick<TraceGap, 'fromSeq' | 'toSeq'>): void {
    this.gapCount += 1;
    this.ownChecker?.noteGap(gap);
  }

  /**
   * The report as of `endT` (default: the last event's t); also returns the full check.
   * Does not change the builder.
   */
  finish(endT?: number, extras: ReportExtras = {}): { report: Report; check: CheckResult } {
    const end = endT ?? this.span.lastT ?? 0;
    const check = this.checker.finish(end);
    // Outstanding messages, lost or still queued: folded from the same table as the outcomes.
    const lostIds = new Set(this.checker.lostMessageIds(end));
    const outstanding = new Map<MessageRow, { lost: number; stillQueued: number }>();
    for (const m of this.active.values()) {
      const key = lostIds.has(m.life.id) ? 'lost' : 'stillQueued';
      for (const row of allRows(m)) {
        let counts = outstanding.get(row);
        if (!counts) outstanding.set(row, (counts = { lost: 0, stillQueued: 0 }));
        counts[key] += 1;
      }
    }
    const none = { lost: 0, stillQueued: 0 };
    const stats = (row: MessageRow): MessageStats => row.stats(outstanding.get(row) ?? none);
    const joulesByAgent = extras.energy?.joulesByAgent;
    const roleJoules = new Map<string, number>();
    if (joulesByAgent) {
      for (const [agentId, joules] of Object.entries(joulesByAgent)) {
        bump(roleJoules, this.agents.get(agentId)?.role ?? 'unknown', joules);
      }
    }
    const totals = stats(this.totals);
    const span = { ...this.span };
    span.durationMs =
      span.firstT === null || span.lastT === null ? null : roundTo(span.lastT - span.firstT, 1);
    const report: Report = {
      reportVersion: 1,
      meta: this.options.meta ?? null,
      scheduleHash: extras.scheduleHash ?? null,
      span,
      totals,
      services: [...this.services.values()]
        .sort((a, b) => naturalCompare(a.serviceId, b.serviceId))
        .map((s) => ({
          serviceId: s.serviceId,
          profile: s.profile,
          ...stats(s.row),
          rejectedByStatus: sortedRecord(s.rejected),
          receiptsSentByStatus: sortedRecord(s.receiptsSent),
          connectionsOpened: s.connectionsOpened,
          disconnects: s.disconnects,
        })),
      classes: RECEIVER_CLASSES.filter(
        (c) => this.classes[c].agentCount > 0 || this.classes[c].row.accepted > 0,
      ).map((agentClass) => {
        const c = this.classes[agentClass];
        const joules = joulesByAgent ? roundTo(roleJoules.get(agentClass) ?? 0, 6) : null;
        return {
          agentClass,
          agentCount: c.agentCount,
          ...stats(c.row),
          connectionsOpened: c.connectionsOpened,
          disconnects: c.disconnects,
          joules,
          joulesPerDeliveredMessage:
            joules === null || c.row.delivered === 0 ? null : roundTo(joules / c.row.delivered, 6),
        };
      }),
      senders: [...this.senders.values()]
        .sort((a, b) => naturalCompare(a.agentId, b.agentId))
        .map((s) => ({
          agentId: s.agentId,
          label: s.label,
          sendAttempts: s.sendAttempts,
          retries: s.retries,
          responsesByStatus: sortedRecord(s.responses),
          rejectedByStatus: sortedRecord(s.rejected),
          ...stats(s.row),
          receiptsReceivedByStatus: sortedRecord(s.receiptsReceived),
          connectionsOpened: s.connectionsOpened,
          disconnects: s.disconnects,
        })),
      receipts: {
        sentByStatus: sortedRecord(this.receiptsSent),
        receivedByStatus: sortedRecord(this.receiptsReceived),
      },
      energy: energySummary(extras, totals.delivered),
      links: linkSummary(this.linkResets, extras.links),
      violations: {
        count: check.violationCount,
        countByRule: check.countByRule,
        listed: check.violations.slice(0, this.options.violationsListed ?? 50),
        ...(check.notObservable.length > 0 ? { notObservable: check.notObservable } : {}),
      },
      notes: [...check.notes, ...check.notObservable.map((n) => n.sentence), ...this.notes()],
    };
    return { report, check };
  }

  // ---- messages ------------------------------------------------------------------------------

  private onAccepted(e: Extract<LabEvent, { kind: 'message.accepted' }>): void {
    // Accepted twice is the checker's 'bookkeeping' violation; the message counts once.
    if (this.find(e.messageId)) return;
    const service = this.service(e.serviceId);
    const holderId = this.holders.get(e.subscriptionId) ?? null;
    const holder = holderId === null ? undefined : this.agents.get(holderId)?.role;
    const m: MsgInfo = {
      life: stepMessage(undefined, e)!,
      service,
      anyRows: [this.totals, service.row],
      receivedRow:
        holder === 'user-agent' || holder === 'gateway' ? this.classes[holder].row : null,
      deviceRow: holder === 'gateway' || holder === 'device' ? this.classes.device.row : null,
    };
    if (e.senderId !== null) m.anyRows.push(this.sender(e.senderId).row);
    for (const row of allRows(m)) row.accepted += 1;
    this.active.set(e.messageId, m);
  }

  private onReceived(e: Extract<LabEvent, { kind: 'message.received' }>): void {
    const m = this.find(e.messageId);
    if (!m) return;
    if (m.life.receivedAt !== null) {
      for (const row of m.anyRows) row.duplicates += 1;
      if (m.receivedRow) m.receivedRow.duplicates += 1;
      return;
    }
    const before = m.life;
    this.step(e, e.messageId);
    m.receivedRow?.deliver(e.t - before.acceptedAt, e.t > before.expiresAt);
    if (before.deliveredAt === null) this.deliverAny(m, e.t);
  }

  private onDeviceDelivered(e: Extract<LabEvent, { kind: 'device.delivered' }>): void {
    const m = this.find(e.messageId);
    if (!m) return;
    if (m.deviceRow === null) {
      // A device behind a holder the report did not class as a gateway: it joins the device row now.
      m.deviceRow = this.classes.device.row;
      m.deviceRow.accepted += 1;
      if (m.life.end !== null) m.deviceRow[m.life.end] += 1;
    }
    if (m.life.deviceDeliveredAt !== null) {
      m.deviceRow.duplicates += 1;
      return;
    }
    const before = m.life;
    this.step(e, e.messageId);
    m.deviceRow.deliver(e.t - before.acceptedAt, e.t > before.expiresAt);
    if (before.deliveredAt === null) this.deliverAny(m, e.t);
  }

  private deliverAny(m: MsgInfo, t: number): void {
    for (const row of m.anyRows) row.deliver(t - m.life.acceptedAt, t > m.life.expiresAt);
  }

  /**
   * The message's next life, from the shared lifecycle. Its end (first final event) is its
   * outcome; a later one (the checker's 'bookkeeping' violation) changes nothing, so each
   * accepted message has exactly one.
   */
  private step(e: LabEvent, messageId: string): void {
    const m = this.find(messageId);
    if (!m) return;
    const before = m.life;
    m.life = stepMessage(before, e)!;
    if (before.end !== null || m.life.end === null) return;
    for (const row of allRows(m)) row[m.life.end] += 1;
    this.active.delete(messageId);
    this.finished.set(messageId, m);
  }

  private find(messageId: string): MsgInfo | undefined {
    return this.active.get(messageId) ?? this.finished.get(messageId);
  }

  private rowsOf(messageId: string): MessageRow[] {
    const m = this.find(messageId);
    return m ? allRows(m) : [];
  }

  // ---- rows ----------------------------------------------------------------------------------

  private service(serviceId: string): ServiceAcc {
    let s = this.services.get(serviceId);
    if (!s) {
      s = {
        serviceId,
        profile: null,
        row: new MessageRow('any', this.samplesMax),
        rejected: new Map(),
        receiptsSent: new Map(),
        connectionsOpened: 0,
        disconnects: 0,
      };
      this.services.set(serviceId, s);
    }
    return s;
  }

  private sender(agentId: string): SenderAcc {
    let s = this.senders.get(agentId);
    if (s) return s;
    const full = this.senders.size >= (this.options.sendersMax ?? 1000);
    const id = full ? OTHERS : agentId;
    s = this.senders.get(id);
    if (!s) {
      s = {
        agentId: id,
        label: full ? OTHERS : (this.agents.get(agentId)?.label ?? agentId),
        row: new MessageRow('any', this.samplesMax),
        sendAttempts: 0,
        retries: 0,
        responses: new Map(),
        rejected: new Map(),
        receiptsReceived: new Map(),
        connectionsOpened: 0,
        disconnects: 0,
      };
      this.senders.set(id, s);
    }
    return s;
  }

  private notes(): string[] {
    const notes: string[] = [];
    if (this.active.forgottenCount + this.finished.forgottenCount > 0) {
      notes.push(
        `The report forgot ${this.active.forgottenCount} outstanding and ${this.finished.forgottenCount} finished message(s) to stay within its bounds; their later events are not counted.`,
      );
    }
    if (this.senders.has(OTHERS))
      notes.push(`Application servers beyond sendersMax are folded into '${OTHERS}'.`);
    if (this.limits.size > 0) {
      const parts = [...this.limits].map(([what, n]) => `${what} ${n}×`);
      notes.push(`The lab hit its limits (limit.reached): ${parts.join(', ')}.`);
    }
    if (this.errors.size > 0) {
      const parts = [...this.errors].map(([what, n]) => `${what} ${n}×`);
      notes.push(`Errors in the lab (its events say which): ${parts.join(', ')}.`);
    }
    return notes;
  }
}

/** Reports a whole stream of events at once. */
export function buildReport(
  events: Iterable<LabEvent>,
  options: ReportOptions & { endT?: number; extras?: ReportExtras } = {},
): Report {
  const builder = new ReportBuilder(options);
  for (const event of events) builder.add(event);
  return builder.finish(options.endT, options.extras).report;
}

/** The report as JSON: keys in a fixed order, two-space indent, trailing newline. */
export function reportToJson(report: Report): string {
  return JSON.stringify(report, null, 2) + '\n';
}

function allRows(m: MsgInfo): MessageRow[] {
  const rows = [...m.anyRows];
  if (m.receivedRow) rows.push(m.receivedRow);
  if (m.deviceRow) rows.push(m.deviceRow);
  return rows;
}

function energySummary(extras: ReportExtras, deliveredCount: number): Report['energy'] {
  const { joulesByAgent, joulesByClass } = extras.energy ?? {};
  if (!joulesByAgent && !joulesByClass) return null;
  const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
  const joulesTotal = joulesByAgent ? sum(joulesByAgent) : sum(joulesByClass!);
  return {
    joulesTotal: roundTo(joulesTotal, 6),
    joulesPerDeliveredMessage:
      deliveredCount === 0 ? null : roundTo(joulesTotal / deliveredCount, 6),
    byClass: sortedRecord(new Map(Object.entries(joulesByClass ?? {})), 6),
  };
}

function linkSummary(
  resets: Map<string, number>,
  counters: ReportExtras['links'],
): Report['links'] {
  if (resets.size === 0 && !counters) return null;
  const countersById: Record<string, Record<string, number>> = {};
  for (const id of Object.keys(counters ?? {}).sort(naturalCompare)) {
    countersById[id] = sortedRecord(new Map(Object.entries(counters![id]!)), 6);
  }
  return { resetsById: sortedRecord(resets), countersById };
}
