/**
 * The synthetic traffic both UI benchmarks stream: message n, in four phases (accepted,
 * pushed, received, acked), spread over `subscriptions` subscriptions of service ps1.
 */
import type { LabEventBody } from '../src/shared/events';

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
