/**
 * Random message event streams for property tests: a small lab (one service, a user agent, a
 * gateway, an application server, three subscriptions), then message events in any order,
 * repeated and stray ones included. Read by the report-figures and lifecycle-agreement tests.
 */
import fc from 'fast-check';
import type { LabEventBody } from '../../../src/shared/events';
import { LabStream } from './lab-stream';

const SUBS = [
  ['ps1.s1', 'ua1'],
  ['ps1.s2', 'gw1'],
  ['ps1.s3', null],
] as const;

/** One random step: [what, which message, which subscription or agent, ms later]. */
export type Step = [number, number, number, number];

/** A small lab, then message events in any order, repeated and stray ones included. */
export function randomStream(steps: readonly Step[]): { s: LabStream; endT: number } {
  const s = new LabStream().service(0);
  s.agent(0, 'ua1', 'user-agent').agent(0, 'gw1', 'gateway').agent(0, 'as1', 'app-server');
  for (const [sub, holder] of SUBS) s.subscribe(0, sub, holder);
  let t = 0;
  for (const [what, n, k, later] of steps) {
    t += later;
    const id = `m${n}`;
    const sub = SUBS[k % SUBS.length]![0];
    const body = (): LabEventBody | null => {
      switch (what) {
        case 0:
        case 1:
          s.accept(t, id, {
            subscriptionId: sub,
            ttlSeconds: [0, 1, 5, 60][k % 4]!,
            senderId: k % 2 ? 'as1' : null,
          });
          return null;
        case 2:
          return {
            kind: 'message.pushed',
            subscriptionId: sub,
            messageId: id,
            attempt: 1 + (k % 2),
            urgencyMin: 'very-low',
          };
        case 3:
          s.receive(t, id, 'ua1', k % 3 === 0, sub);
          return null;
        case 4:
          return {
            kind: 'device.delivered',
            gatewayId: 'gw1',
            deviceId: 'dev1',
            messageId: id,
            confirmed: true,
          };
        case 5:
          return { kind: 'message.acked', subscriptionId: sub, messageId: id };
        case 6:
          return { kind: 'message.expired', subscriptionId: sub, messageId: id };
        case 7:
          return {
            kind: 'message.replaced',
            subscriptionId: sub,
            messageId: id,
            byMessageId: `m${n + 1}`,
          };
        case 8:
          return {
            kind: 'message.dropped',
            subscriptionId: sub,
            messageId: id,
            reason: 'subscription-deleted',
          };
        default:
          return { kind: 'service.stopped', serviceId: 'ps1' };
      }
    };
    const made = body();
    if (made) s.at(t, made);
  }
  return { s, endT: t + 30_000 };
}

/** Up to `maxLength` random steps. */
export function randomSteps(maxLength = 120): fc.Arbitrary<Step[]> {
  const step = fc.tuple(
    fc.integer({ min: 0, max: 9 }),
    fc.integer({ min: 0, max: 12 }),
    fc.integer({ min: 0, max: 11 }),
    fc.integer({ min: 0, max: 3000 }),
  );
  return fc.array(step, { maxLength });
}
