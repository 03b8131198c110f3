/**
 * Hand-written event sequences for the trace tests: each call appends one event with the
 * next seq, at the given lab time (ms), with the contract's defaults for fields a test does
 * not care about.
 */
import type {
  AgentRole,
  LabEvent,
  LabEventBody,
  LegacyForm,
  Urgency,
} from '../../../src/shared/events';

export interface AcceptOptions {
  subscriptionId?: string;
  serviceId?: string;
  ttlSeconds?: number;
  urgency?: Urgency;
  topic?: string | null;
  receiptRequested?: boolean;
  senderId?: string | null;
  legacy?: LegacyForm[];
}

export class LabStream {
  readonly events: LabEvent[] = [];
  private seq = 0;

  /** Appends any event body. */
  at(t: number, body: LabEventBody): LabEvent {
    const event = { ...body, seq: ++this.seq, t } as LabEvent;
    this.events.push(event);
    return event;
  }

  service(t: number, serviceId = 'ps1', profile: 'rfc8030' | 'draft-thomson' = 'rfc8030'): this {
    this.at(t, { kind: 'service.started', serviceId, url: 'https://127.0.0.1:8443', profile });
    return this;
  }

  agent(t: number, agentId: string, role: AgentRole, label = agentId): this {
    this.at(t, { kind: 'agent.started', agentId, role, label });
    return this;
  }

  subscribe(t: number, subscriptionId: string, agentId: string | null, serviceId = 'ps1'): this {
    this.at(t, {
      kind: 'subscription.created',
      serviceId,
      subscriptionId,
      agentId,
      pushPath: `/push/${subscriptionId}`,
    });
    return this;
  }

  accept(t: number, messageId: string, o: AcceptOptions = {}): this {
    const ttlSeconds = o.ttlSeconds ?? 60;
    this.at(t, {
      kind: 'message.accepted',
      serviceId: o.serviceId ?? 'ps1',
      subscriptionId: o.subscriptionId ?? 'ps1.s1',
      messageId,
      ttlSeconds,
      ttlRequestedSeconds: ttlSeconds,
      urgency: o.urgency ?? 'normal',
      topic: o.topic ?? null,
      bytes: 10,
      receiptRequested: o.receiptRequested ?? false,
      senderId: o.senderId ?? null,
      ...(o.legacy ? { legacy: o.legacy } : {}),
    });
    return this;
  }

  push(
    t: number,
    messageId: string,
    attempt = 1,
    urgencyMin: Urgency = 'very-low',
    subscriptionId = 'ps1.s1',
  ): this {
    this.at(t, { kind: 'message.pushed', subscriptionId, messageId, attempt, urgencyMin });
    return this;
  }

  receive(
    t: number,
    messageId: string,
    agentId = 'ua1',
    duplicate = false,
    subscriptionId = 'ps1.s1',
  ): this {
    this.at(t, {
      kind: 'message.received',
      agentId,
      subscriptionId,
      messageId,
      bytes: 10,
      duplicate,
      decryption: 'none',
      preview: '',
    });
    return this;
  }

  ack(t: number, messageId: string, subscriptionId = 'ps1.s1'): this {
    this.at(t, { kind: 'message.acked', subscriptionId, messageId });
    return this;
  }

  expire(t: number, messageId: string, subscriptionId = 'ps1.s1'): this {
    this.at(t, { kind: 'message.expired', subscriptionId, messageId });
    return this;
  }

  replace(t: number, messageId: string, byMessageId: string, subscriptionId = 'ps1.s1'): this {
    this.at(t, { kind: 'message.replaced', subscriptionId, messageId, byMessageId });
    return this;
  }

  drop(t: number, messageId: string, subscriptionId = 'ps1.s1'): this {
    this.at(t, {
      kind: 'message.dropped',
      subscriptionId,
      messageId,
      reason: 'subscription-deleted',
    });
    return this;
  }

  receipt(t: number, messageId: string, status: 204 | 410): this {
    this.at(t, { kind: 'receipt.sent', messageId, status });
    return this;
  }

  /** accepted → pushed → received → acked, the happy path of one message. */
  delivered(t: number, messageId: string, latencyMs: number, o: AcceptOptions = {}): this {
    this.accept(t, messageId, o).push(t, messageId, 1, 'very-low', o.subscriptionId);
    this.receive(t + latencyMs, messageId, 'ua1', false, o.subscriptionId);
    return this.ack(t + latencyMs, messageId, o.subscriptionId);
  }
}
