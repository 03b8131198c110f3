/**
 * The synthetic lab both UI benchmarks use: its set-up (service ps1, application server as1,
 * a phone and a subscription each) and the traffic they stream — message n, in four phases
 * (accepted, pushed, received, acked), spread over `subscriptions` subscriptions of ps1.
 */
import type { LabEvent, LabEventBody } from '../src/shared/events';

/** The set-up events: the service, the application server, then a subscribed phone each. */
export function setupEvents(subscriptions: number): LabEvent[] {
  const bodies: LabEventBody[] = [
    {
      kind: 'service.started',
      serviceId: 'ps1',
      url: 'https://127.0.0.1:8443',
      profile: 'rfc8030',
    },
    { kind: 'agent.started', agentId: 'as1', role: 'app-server', label: 'as1' },
  ];
  for (let i = 1; i <= subscriptions; i++) {
    const agentId = `phone-${i}`;
    bodies.push(
      { kind: 'agent.started', agentId, role: 'user-agent', label: agentId },
      { kind: 'agent.connected', agentId, serviceId: 'ps1' },
      {
        kind: 'subscription.created',
        serviceId: 'ps1',
        subscriptionId: `ps1.s${i}`,
        agentId,
        pushPath: `/push/s${i}`,
      },
    );
  }
  return bodies.map((b, i) => ({ ...b, seq: i + 1, t: i * 0.01 }) as LabEvent);
}

export function lifecycleEvent(n: number, phase: number, subscriptions: number): LabEventBody {
  const s = ((n - 1) % subscriptions) + 1;
  const subscriptionId = `ps1.s${s}`;
  const messageId = `ps1.m${n}`;
  switch (phase) {
    case 0:
      return {
        kind: 'message.accepted',
        serviceId: 'ps1',
        subscriptionId,
        messageId,
        ttlSeconds: 60,
        ttlRequestedSeconds: 60,
        urgency: 'normal',
        topic: null,
        bytes: 120,
        receiptRequested: false,
        senderId: 'as1',
      };
    case 1:
      return {
        kind: 'message.pushed',
        subscriptionId,
        messageId,
        attempt: 1,
        urgencyMin: 'very-low',
      };
    case 2:
      return {
        kind: 'message.received',
        agentId: `phone-${s}`,
        subscriptionId,
        messageId,
        bytes: 120,
        duplicate: false,
        decryption: 'ok',
        preview: `bench message ${n}`,
      };
    default:
      return { kind: 'message.acked', subscriptionId, messageId };
  }
}
