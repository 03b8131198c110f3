/**
 * The message story of an external push service, told from its clients' evidence: the
 * application servers' sends and answers, the user agents' pushes and acknowledgements, the
 * receipts. It emits the events the lab's own service emits (`subscription.created`,
 * `message.accepted`, `message.pushed`, `message.acked`, `message.expired`, `receipt.sent`),
 * so the checker, the report and the views judge a service they cannot see inside.
 *
 * A message is named by the digest of its (encrypted) payload — every encryption draws a
 * fresh salt, so the digest is unique — and by its path once the service names one (the
 * send's `Location`, the push promise's `:path`), which acknowledgements and receipts use.
 * A push can outrun the `201` to its sender (the sender's link is slower): the push itself
 * proves the acceptance, which is then told first.
 *
 * What cannot be seen from outside is not invented: an expiry is told only when a receipt
 * says the service gave up (410, draft-damaggio 504); a message whose TTL ran out unseen is
 * left outstanding, and the checker reports 'lost' as not observable for this service.
 */
import { createHash } from 'node:crypto';
import type { LabEventBody } from '../../../shared/events';
import type {
  AgentWitness,
  WitnessedAnswer,
  WitnessedPush,
  WitnessedSend,
} from '../agents/witness';
import { BoundedMap } from '../bounded-map';

/** Messages (sent or accepted) remembered per external service; the oldest are forgotten. */
export const WITNESS_MESSAGES_MAX = 100_000;
/** Subscriptions remembered per external service. */
export const WITNESS_SUBSCRIPTIONS_MAX = 100_000;

interface Witnessed {
  send: WitnessedSend;
  /** Lab id once the acceptance was told; null while only sent. */
  messageId: string | null;
  subscriptionId: string;
  ttlSeconds: number;
  pushes: number;
  ended: boolean;
}

export class Witness implements AgentWitness {
  private readonly byDigest = new BoundedMap<string, Witnessed>(WITNESS_MESSAGES_MAX);
  private readonly byPath = new BoundedMap<string, Witnessed>(WITNESS_MESSAGES_MAX);
  private readonly subscriptions = new BoundedMap<string, string>(WITNESS_SUBSCRIPTIONS_MAX);
  private subscriptionCount = 0;
  private messageCount = 0;

  constructor(
    private readonly serviceId: string,
    private readonly emit: (event: LabEventBody) => void,
  ) {}

  subscribed(agentId: string, pushUrl: string): string {
    const known = this.subscriptions.get(pushUrl);
    if (known) return known;
    const subscriptionId = `${this.serviceId}/s${++this.subscriptionCount}`;
    this.subscriptions.set(pushUrl, subscriptionId);
    this.emit({
      kind: 'subscription.created',
      serviceId: this.serviceId,
      subscriptionId,
      agentId,
      pushPath: pathOf(pushUrl),
    });
    return subscriptionId;
  }

  sending(send: WitnessedSend): string {
    const handle = digest(send.body);
    this.byDigest.set(handle, {
      send,
      messageId: null,
      subscriptionId: send.subscriptionId ?? this.subscriptions.get(send.pushUrl) ?? '',
      ttlSeconds: send.ttlSeconds,
      pushes: 0,
      ended: false,
    });
    return handle;
  }

  answered(handle: string, answer: WitnessedAnswer): string | null {
    const m = this.byDigest.get(handle);
    if (!m) return null;
    if (answer.messagePath !== null) this.byPath.set(answer.messagePath, m);
    if (!answer.accepted) return m.messageId;
    if (answer.ttlKeptSeconds !== null) m.ttlSeconds = answer.ttlKeptSeconds;
    return this.accept(m);
  }

  pushed(push: WitnessedPush): { messageId: string; subscriptionId: string } | null {
    const m =
      this.byDigest.get(digest(push.payload)) ??
      (push.messagePath !== null ? this.byPath.get(push.messagePath) : undefined);
    if (!m) return null;
    if (push.messagePath !== null) this.byPath.set(push.messagePath, m);
    const messageId = this.accept(m);
    m.pushes += 1;
    this.emit({
      kind: 'message.pushed',
      subscriptionId: m.subscriptionId,
      messageId,
      attempt: m.pushes,
      urgencyMin: push.urgencyMin,
    });
    // Without acknowledgements (draft-thomson) the push was the delivery.
    if (!push.acks) this.end(m, 'message.acked');
    return { messageId, subscriptionId: m.subscriptionId };
  }

  acked(messagePath: string): void {
    const m = this.byPath.get(messagePath);
    if (m?.messageId) this.end(m, 'message.acked');
  }

  receipt(messagePath: string, status: number): string | null {
    const m = this.byPath.get(messagePath);
    if (!m?.messageId) return null;
    // RFC 8030 §5.1: 410 says the service gave up; draft-damaggio says so with 504.
    const delivered = status === 204;
    if (!delivered && status !== 410 && status !== 504) return m.messageId;
    if (!delivered) this.end(m, 'message.expired');
    this.emit({ kind: 'receipt.sent', messageId: m.messageId, status: delivered ? 204 : 410 });
    return m.messageId;
  }

  /** What a message path names, once the acceptance was told (labels agents' events). */
  identify(messagePath: string): { messageId: string; subscriptionId: string } | null {
    const m = this.byPath.get(messagePath);
    return m?.messageId ? { messageId: m.messageId, subscriptionId: m.subscriptionId } : null;
  }

  /** Tells the acceptance once; returns the message's lab id. */
  private accept(m: Witnessed): string {
    if (m.messageId) return m.messageId;
    const messageId = `${this.serviceId}/m${++this.messageCount}`;
    m.messageId = messageId;
    const { send } = m;
    this.emit({
      kind: 'message.accepted',
      serviceId: this.serviceId,
      subscriptionId: m.subscriptionId,
      messageId,
      ttlSeconds: m.ttlSeconds,
      ttlRequestedSeconds: send.ttlSeconds,
      urgency: send.urgency,
      topic: send.topic,
      bytes: send.body.byteLength,
      receiptRequested: send.receipt,
      senderId: send.senderId,
    });
    return messageId;
  }

  private end(m: Witnessed, kind: 'message.acked' | 'message.expired'): void {
    if (m.ended || !m.messageId) return;
    m.ended = true;
    this.emit({ kind, subscriptionId: m.subscriptionId, messageId: m.messageId });
  }
}

function digest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url');
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}
