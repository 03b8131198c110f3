/**
 * The report's shape and its inputs. Every field is defined in docs/traces.md; report.ts
 * computes it, report-html.ts renders it.
 */
import type { Profile } from '../../../shared/events';
import type { CheckerOptions, CheckerVerdicts, Violation } from './checker';
import type { NotObservable, RuleId } from './checker-rules';
import type { TraceMeta } from './format';
import type { MessageStats } from './report-rows';
import type { ReportMarkers } from './report-markers';

export type ReceiverClass = 'user-agent' | 'gateway' | 'device';
export const RECEIVER_CLASSES: readonly ReceiverClass[] = ['user-agent', 'gateway', 'device'];

/** What the event stream does not carry. */
export interface ReportExtras {
  energy?: {
    /** Joules per agent id; summed into each class row by the agent's role. */
    joulesByAgent?: Record<string, number>;
    /** Joules per energy class as the meter names them ('phone-lte', …); reported as given. */
    joulesByClass?: Record<string, number>;
  };
  /** Counters per link id (bytes, drops, …) from the net layer; reported as given. */
  links?: Record<string, Record<string, number>>;
  /** The scenario world's schedule hash (scenario/world.ts): what a rerun must reproduce. */
  scheduleHash?: string;
}

export interface ReportOptions {
  /** The trace header's meta, shown at the top. */
  meta?: TraceMeta | null;
  checker?: CheckerOptions;
  /**
   * A checker fed the same events by its owner (a show's Timeline): the report reads its
   * verdict instead of running a second checker that could disagree (`checker` is ignored).
   */
  verdicts?: CheckerVerdicts;
  /** Outstanding messages tracked. Default 200,000. */
  messagesMax?: number;
  /** Finished messages remembered for late deliveries and receipts. Default 20,000. */
  finishedMessagesMax?: number;
  /** Agents and subscriptions remembered (for roles). Default 1,000,000. */
  agentsMax?: number;
  /** Sender rows; further application servers fold into '(others)'. Default 1,000. */
  sendersMax?: number;
  /** Violations listed in full (all are counted). Default 50. */
  violationsListed?: number;
  /** Exact latency samples per row before folding into 1 % buckets. Default 100,000. */
  latencySamplesMax?: number;
}

export interface ServiceReport extends MessageStats {
  serviceId: string;
  profile: Profile | null;
  rejectedByStatus: Record<string, number>;
  receiptsSentByStatus: Record<string, number>;
  connectionsOpened: number;
  disconnects: number;
}

export interface ClassReport extends MessageStats {
  agentClass: ReceiverClass;
  agentCount: number;
  connectionsOpened: number;
  disconnects: number;
  /** Sum of extras.energy.joulesByAgent over the class's agents; null without it. */
  joules: number | null;
  joulesPerDeliveredMessage: number | null;
}

export interface SenderReport extends MessageStats {
  agentId: string;
  label: string;
  /** send.attempted events, first tries and retries. */
  sendAttempts: number;
  /** send.attempted with attempt > 1. */
  retries: number;
  /** Every push service answer, by status (0 = the request failed on the network). */
  responsesByStatus: Record<string, number>;
  /** Answers ≥ 400, by status. */
  rejectedByStatus: Record<string, number>;
  receiptsReceivedByStatus: Record<string, number>;
  connectionsOpened: number;
  disconnects: number;
}

export interface RunSpan {
  eventCount: number;
  firstSeq: number | null;
  lastSeq: number | null;
  firstT: number | null;
  lastT: number | null;
  durationMs: number | null;
}

export interface Report {
  reportVersion: 1;
  meta: TraceMeta | null;
  /** The scenario run's schedule hash; null for the sandbox and a report read from a trace. */
  scheduleHash: string | null;
  span: RunSpan;
  totals: MessageStats;
  services: ServiceReport[];
  classes: ClassReport[];
  senders: SenderReport[];
  receipts: { sentByStatus: Record<string, number>; receivedByStatus: Record<string, number> };
  energy: {
    joulesTotal: number;
    joulesPerDeliveredMessage: number | null;
    byClass: Record<string, number>;
  } | null;
  links: {
    resetsById: Record<string, number>;
    countersById: Record<string, Record<string, number>>;
  } | null;
  violations: {
    count: number;
    countByRule: Record<RuleId, number>;
    listed: Violation[];
    /** Rules not judged for external services; present only when the run had one. */
    notObservable?: NotObservable[];
  };
  /** What limited the report: trace gaps, forgotten messages, limits the lab reached. */
  notes: string[];
  /** The show's markers (report-markers.ts); only where a Timeline indexed the events. */
  markers?: ReportMarkers;
}
