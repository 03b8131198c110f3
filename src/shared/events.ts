/**
 * Every state change in the lab is one LabEvent. The event stream is the single source of
 * truth for the UI, traces, reports and the invariant checker.
 */

export type Profile = 'rfc8030' | 'draft-thomson' | 'draft-damaggio';
export const PROFILES: readonly Profile[] = ['rfc8030', 'draft-thomson', 'draft-damaggio'];

export type Urgency = 'very-low' | 'low' | 'normal' | 'high';
/** RFC 8030 §5.3, in ascending order. */
export const URGENCIES: readonly Urgency[] = ['very-low', 'low', 'normal', 'high'];

export type AgentRole = 'user-agent' | 'app-server' | 'gateway' | 'device';

interface Base {
  /** Position in the lab's stream, gap-free from 1. */
  seq: number;
  /** Lab clock time in milliseconds. */
  t: number;
}

export type LabEventBody =
  | { kind: 'service.started'; serviceId: string; url: string; profile: Profile }
  | { kind: 'service.stopped'; serviceId: string }
  | { kind: 'agent.started'; agentId: string; role: AgentRole; label: string }
  | { kind: 'agent.connected'; agentId: string; serviceId: string }
  | { kind: 'agent.disconnected'; agentId: string; serviceId: string; reason: string }
  | {
      kind: 'subscription.created';
      serviceId: string;
      subscriptionId: string;
      /** The agent that holds it, when known. */
      agentId: string | null;
      /** The push resource path (what an application server sends to). */
      pushPath: string;
    }
  | {
      kind: 'subscription.deleted';
      subscriptionId: string;
      reason: 'unsubscribed' | 'expired';
    }
  | {
      kind: 'message.accepted';
      serviceId: string;
      subscriptionId: string;
      messageId: string;
      ttlSeconds: number;
      /** The TTL the sender asked for, when the service kept less. */
      ttlRequestedSeconds: number;
      urgency: Urgency;
      topic: string | null;
      bytes: number;
      receiptRequested: boolean;
      /** Agent that sent it, when it is one of the lab's own. */
      senderId: string | null;
    }
  | {
      kind: 'message.rejected';
      serviceId: string;
      subscriptionId: string | null;
      status: number;
      detail: string;
    }
  | { kind: 'message.replaced'; subscriptionId: string; messageId: string; byMessageId: string }
  | {
      kind: 'message.pushed';
      subscriptionId: string;
      messageId: string;
      /** 1 for the first delivery attempt, 2 for the first redelivery, ... */
      attempt: number;
    }
  | { kind: 'message.acked'; subscriptionId: string; messageId: string }
  | { kind: 'message.expired'; subscriptionId: string; messageId: string }
  | {
      kind: 'message.dropped';
      subscriptionId: string;
      messageId: string;
      reason: 'subscription-deleted' | 'ttl-zero-not-connected';
    }
  | {
      kind: 'message.received';
      agentId: string;
      subscriptionId: string;
      messageId: string;
      bytes: number;
      duplicate: boolean;
      /** Outcome of RFC 8291 decryption with the agent's keys ('none' = not encrypted). */
      decryption: 'ok' | 'failed' | 'none';
      /** The first characters of the (decrypted) text, for display. */
      preview: string;
    }
  | { kind: 'receipt.sent'; messageId: string; status: 204 | 410 }
  | { kind: 'limit.reached'; what: 'queue' | 'events'; subjectId: string; limit: number };

export type LabEvent = Base & LabEventBody;
export type LabEventKind = LabEventBody['kind'];
export type EventOf<K extends LabEventKind> = Extract<LabEvent, { kind: K }>;
