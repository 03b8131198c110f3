/**
 * Every state change in the lab is one LabEvent. The event stream is the single source of
 * truth for the UI, traces, reports and the invariant checker.
 */

export type Profile = 'rfc8030' | 'draft-thomson' | 'draft-damaggio';
export const PROFILES: readonly Profile[] = ['rfc8030', 'draft-thomson', 'draft-damaggio'];

export type Urgency = 'very-low' | 'low' | 'normal' | 'high';
/** RFC 8030 §5.3, in ascending order. */
export const URGENCIES: readonly Urgency[] = ['very-low', 'low', 'normal', 'high'];

/**
 * Which bound a `limit.reached` event names: 'queue' a subscription's (or a receipt
 * subscription's pending) queue, 'events' a trace or event buffer; the rest are the push
 * service's (docs/security.md lists each with its number).
 */
export type LimitName =
  | 'queue'
  | 'events'
  | 'subscriptions'
  | 'subscribe-rate'
  | 'receipt-subscriptions'
  | 'receipt-subscription-idle'
  | 'stored-bytes'
  | 'header-list-bytes'
  | 'session-idle'
  | 'connections-per-address'
  /** Error events (`service.error`, `lab.error`) of one source beyond its rate. */
  | 'error-events'
  /**
   * A shared store's change stream was trimmed past what an instance had read (its entry
   * cap): that instance reloaded the whole state instead of going on with a gap.
   */
  | 'store-changes'
  /**
   * serve's decryption workers held their bound of bodies (`serve --decrypt-workers`): the
   * excess is decrypted on the event loop. Once per episode (until the pool has room again).
   */
  | 'decrypt-pending';

export type AgentRole = 'user-agent' | 'app-server' | 'gateway' | 'device';

/**
 * Draft-era forms a sender used that push services still accept and RFC 8291/8292 replaced:
 * the `aesgcm` content coding (draft-ietf-webpush-encryption-04, its salt and key in the
 * `Encryption` and `Crypto-Key` headers) and the `WebPush <JWT>` VAPID scheme with its key
 * in `Crypto-Key: p256ecdsa=` (draft-ietf-webpush-vapid-01).
 */
export type LegacyForm = 'aesgcm' | 'vapid-webpush';

const LEGACY_FORM_LABELS: Readonly<Record<LegacyForm, string>> = {
  aesgcm: 'legacy aesgcm',
  'vapid-webpush': 'legacy WebPush VAPID',
};

/** How legacy forms are named wherever they are shown (the inspector, its story). */
export function describeLegacy(forms: readonly LegacyForm[]): string {
  return forms.map((form) => LEGACY_FORM_LABELS[form]).join(', ');
}

interface Base {
  /** Position in the lab's stream, gap-free from 1. */
  seq: number;
  /** Lab clock time in milliseconds. */
  t: number;
}

export type LabEventBody =
  | {
      kind: 'service.started';
      serviceId: string;
      url: string;
      profile: Profile;
      /**
       * Set for a service the lab does not run (a scenario's `url`): its message events are
       * what the agents observed from outside, not the service's own account.
       */
      external?: true;
    }
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
      /**
       * Set on an instance sharing a store with others (`serve --instance`) when it only
       * applied another instance's change: that instance reports the fact unmarked, so a
       * count across instances skips marked events. Absent otherwise.
       */
      mirrored?: true;
    }
  | {
      kind: 'subscription.deleted';
      subscriptionId: string;
      reason: 'unsubscribed' | 'expired';
      /**
       * Set on an instance sharing a store with others (`serve --instance`) when it only
       * applied another instance's change: that instance reports the fact unmarked, so a
       * count across instances skips marked events. Absent otherwise.
       */
      mirrored?: true;
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
      /** The legacy forms it was sent with; absent when none (and in traces made before). */
      legacy?: LegacyForm[];
      /**
       * Set on an instance sharing a store with others (`serve --instance`) when it only
       * applied another instance's change: that instance reports the fact unmarked, so a
       * count across instances skips marked events. Absent otherwise.
       */
      mirrored?: true;
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
      /** The lowest urgency the monitoring request asked for (RFC 8030 §5.3). */
      urgencyMin: Urgency;
    }
  | { kind: 'message.acked'; subscriptionId: string; messageId: string }
  | { kind: 'message.expired'; subscriptionId: string; messageId: string }
  | {
      kind: 'message.dropped';
      subscriptionId: string;
      messageId: string;
      /** `reset`: a test harness (serve's control API, `startPushService`) dropped it. */
      reason: 'subscription-deleted' | 'ttl-zero-not-connected' | 'reset';
      /**
       * Set on an instance sharing a store with others (`serve --instance`) when it only
       * applied another instance's change: that instance reports the fact unmarked, so a
       * count across instances skips marked events. Absent otherwise.
       */
      mirrored?: true;
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
  | { kind: 'limit.reached'; what: LimitName; subjectId: string; limit: number }
  /** A push service's durable store could not be written: it answers 503 to what it cannot keep. */
  | { kind: 'store.failed'; serviceId: string; detail: string }
  /**
   * A push service's protocol profile threw on a request: the client got a 500 problem+json
   * and the service kept serving. `code` is the error's stable code (ERR_INTERNAL for a bug).
   */
  | {
      kind: 'service.error';
      serviceId: string;
      method: string;
      path: string;
      code: string;
      message: string;
      /** Errors of this service left out (over the rate) since the last one reported. */
      suppressed: number;
    }
  /**
   * A listener of the lab's event bus threw on event `eventSeq`: the other listeners still got
   * that event, and this one gets the next.
   */
  | {
      kind: 'lab.error';
      code: string;
      message: string;
      eventSeq: number;
      eventKind: string;
      /** Listener failures left out (over the rate, or on a lab.error) since the last one reported. */
      suppressed: number;
    }
  // ---- the simulated world: agents, links, devices, radios -------------------------------
  | {
      /** An application server's send and what the push service answered (after retries: one per attempt). */
      kind: 'send.attempted';
      agentId: string;
      /** The subscription it was meant for (lab id), when known. */
      subscriptionId: string | null;
      /** The push service's answer; 0 when the request failed on the network. */
      status: number;
      messageId: string | null;
      attempt: number;
      /** Set when the agent will retry, in milliseconds. */
      retryInMs: number | null;
    }
  | { kind: 'receipt.received'; agentId: string; messageId: string | null; status: number }
  | { kind: 'message.acknowledging'; agentId: string; messageId: string; policy: AckPolicy }
  | {
      kind: 'agent.power';
      agentId: string;
      /** Battery charge, 0 to 1. */
      battery: number;
      charging: boolean;
      wifi: boolean;
      /** The urgency filter the agent monitors with, derived from its power state. */
      urgencyMin: Urgency;
    }
  | { kind: 'agent.sleep'; agentId: string }
  | { kind: 'agent.wake'; agentId: string }
  | { kind: 'radio.state'; agentId: string; technology: string; from: string; to: string }
  | {
      kind: 'device.delivered';
      gatewayId: string;
      deviceId: string;
      messageId: string;
      /** The device confirmed it (gateway end-to-end mode acks upstream only after this). */
      confirmed: boolean;
    }
  | {
      kind: 'link.changed';
      linkId: string;
      state: LinkState;
      /** The fault types now active on the link. */
      faults: string[];
    }
  | { kind: 'link.reset'; linkId: string; reason: string }
  /**
   * A link's faults as they are now, with their attributes: when the link is made and on
   * every fault added, changed, removed, switched on or off (by hand or by its schedule).
   */
  | {
      kind: 'link.faults';
      linkId: string;
      /** The agent the link serves. */
      agentId: string;
      state: LinkState;
      /** At most FAULTS_MAX (the engine's bound on a link's faults). */
      faults: LinkFault[];
    }
  /**
   * Byte, packet and connection counters of the links whose counters moved since the last
   * sample, on a fixed lab-time interval (engine/energy/sampler.ts); at most SAMPLED_LINKS_MAX
   * links an event.
   */
  | { kind: 'link.sampled'; counters: Record<string, LinkCounts> }
  /**
   * Joules metered so far, on the same interval as `link.sampled`: the totals of every device
   * class and the devices whose joules moved since the last sample (at most
   * SAMPLED_DEVICES_MAX an event; more devices go in further events of the same instant).
   */
  | {
      kind: 'energy.sampled';
      byClass: Record<string, { joules: number; devices: number }>;
      devices: Record<string, number>;
    };

export type LinkState = 'up' | 'impaired' | 'down';

/** One fault of a link: its validated spec (type and attributes) and whether it is on now. */
export interface LinkFault {
  name: string;
  spec: Record<string, unknown>;
  active: boolean;
}

/** A link's counters by name (bytesUpDelivered, connectionsActive, …: net/types.ts LinkCounters). */
export type LinkCounts = Readonly<Record<string, number>>;

/** Most links one `link.sampled` event carries. */
export const SAMPLED_LINKS_MAX = 500;
/** Most devices one `energy.sampled` event carries. */
export const SAMPLED_DEVICES_MAX = 1_000;

/** What a user agent does after a message arrives (to reproduce the bugs QA hunts). */
export type AckPolicy = 'immediate' | 'delayed' | 'never' | 'crash';

export type LabEvent = Base & LabEventBody;
export type LabEventKind = LabEventBody['kind'];
export type EventOf<K extends LabEventKind> = Extract<LabEvent, { kind: K }>;
