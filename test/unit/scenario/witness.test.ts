import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LabEvent, LabEventBody } from '../../../src/shared/events';
import type { WitnessedSend } from '../../../src/main/engine/agents/witness';
import { Witness } from '../../../src/main/engine/scenario/witness';
import { checkEvents } from '../../../src/main/engine/trace/checker';

const PUSH_URL = 'https://push.example/push/abc';

/** A witness for service `ext` whose events are stamped as a bus would, at time `now`. */
function observe(): { witness: Witness; events: LabEvent[]; at: (t: number) => void } {
  const events: LabEvent[] = [];
  let now = 0;
  const stamp = (body: LabEventBody): void => {
    events.push({ ...body, seq: events.length + 1, t: now } as LabEvent);
  };
  stamp({
    kind: 'service.started',
    serviceId: 'ext',
    url: 'https://push.example/',
    profile: 'rfc8030',
    external: true,
  });
  return { witness: new Witness('ext', stamp), events, at: (t) => (now = t) };
}

function send(overrides: Partial<WitnessedSend> = {}): WitnessedSend {
  return {
    senderId: 'as',
    subscriptionId: null,
    pushUrl: PUSH_URL,
    body: randomBytes(64),
    ttlSeconds: 60,
    urgency: 'normal',
    topic: null,
    receipt: false,
    ...overrides,
  };
}

const kinds = (events: LabEvent[]): string[] => events.slice(1).map((e) => e.kind);
const push = (body: Uint8Array, messagePath: string | null, acks = true) => ({
  agentId: 'phone-1',
  pushUrl: PUSH_URL,
  messagePath,
  payload: body,
  urgencyMin: 'very-low' as const,
  acks,
});

describe('Witness: an external service told from its clients’ evidence', () => {
  it('tells a message’s whole story: subscribed, accepted (201), pushed, acked', () => {
    const { witness, events, at } = observe();
    const subscriptionId = witness.subscribed('phone-1', PUSH_URL);
    const sent = send({ subscriptionId });
    const handle = witness.sending(sent);
    at(100);
    const messageId = witness.answered(handle, {
      status: 201,
      accepted: true,
      messagePath: '/message/m1',
      ttlKeptSeconds: 30,
    });
    at(150);
    expect(witness.pushed(push(sent.body, '/message/m1'))).toEqual({ messageId, subscriptionId });
    witness.acked('/message/m1');
    expect(kinds(events)).toEqual([
      'subscription.created',
      'message.accepted',
      'message.pushed',
      'message.acked',
    ]);
    expect(events[2]).toMatchObject({
      kind: 'message.accepted',
      serviceId: 'ext',
      subscriptionId,
      messageId,
      // The TTL the service says it kept, and the one asked for.
      ttlSeconds: 30,
      ttlRequestedSeconds: 60,
      bytes: 64,
      senderId: 'as',
      t: 100,
    });
    expect(events[3]).toMatchObject({ kind: 'message.pushed', attempt: 1, t: 150 });
    expect(checkEvents(events).violationCount).toBe(0);
  });

  it('a push that outruns its 201 proves the acceptance, told first; the 201 then adds nothing', () => {
    const { witness, events } = observe();
    const sent = send();
    const handle = witness.sending(sent);
    const named = witness.pushed(push(sent.body, '/message/m1'));
    expect(
      witness.answered(handle, {
        status: 201,
        accepted: true,
        messagePath: '/message/m1',
        ttlKeptSeconds: null,
      }),
    ).toBe(named!.messageId);
    expect(kinds(events)).toEqual(['message.accepted', 'message.pushed']);
  });

  it('names a push by its payload digest when the profile gives no path (draft-thomson), and a push is the delivery there', () => {
    const { witness, events } = observe();
    const sent = send();
    witness.answered(witness.sending(sent), {
      status: 201,
      accepted: true,
      messagePath: null,
      ttlKeptSeconds: null,
    });
    expect(witness.pushed(push(sent.body, null, false))).not.toBeNull();
    expect(kinds(events)).toEqual(['message.accepted', 'message.pushed', 'message.acked']);
  });

  it('tells nothing for a refused send, or for a push of a payload no sender sent', () => {
    const { witness, events } = observe();
    const sent = send();
    expect(
      witness.answered(witness.sending(sent), {
        status: 413,
        accepted: false,
        messagePath: null,
        ttlKeptSeconds: null,
      }),
    ).toBeNull();
    expect(witness.pushed(push(randomBytes(64), '/message/unknown'))).toBeNull();
    expect(kinds(events)).toEqual([]);
  });

  it('a redelivery after the ack is told as a push, so the checker catches the duplicate', () => {
    const { witness, events } = observe();
    const sent = send();
    witness.answered(witness.sending(sent), {
      status: 201,
      accepted: true,
      messagePath: '/message/m1',
      ttlKeptSeconds: null,
    });
    witness.pushed(push(sent.body, '/message/m1'));
    witness.acked('/message/m1');
    witness.pushed(push(sent.body, '/message/m1'));
    expect(events.at(-1)).toMatchObject({ kind: 'message.pushed', attempt: 2 });
    const check = checkEvents(events);
    expect(check.countByRule.bookkeeping).toBe(1);
    expect(check.violations[0]!.sentence).toMatch(/pushed at seq \d+ after it was acked/);
  });

  it('a push after the TTL is caught as pushed-after-expiry', () => {
    const { witness, events, at } = observe();
    const sent = send({ ttlSeconds: 2 });
    witness.answered(witness.sending(sent), {
      status: 201,
      accepted: true,
      messagePath: '/message/m1',
      ttlKeptSeconds: null,
    });
    at(5000);
    witness.pushed(push(sent.body, '/message/m1'));
    expect(checkEvents(events).countByRule['pushed-after-expiry']).toBe(1);
  });

  it('a 410 receipt is the one sign of an expiry; receipts are judged against the story', () => {
    const { witness, events } = observe();
    const gaveUp = send({ receipt: true });
    witness.answered(witness.sending(gaveUp), {
      status: 201,
      accepted: true,
      messagePath: '/message/m1',
      ttlKeptSeconds: null,
    });
    witness.receipt('/message/m1', 410);
    const delivered = send({ receipt: true });
    witness.answered(witness.sending(delivered), {
      status: 201,
      accepted: true,
      messagePath: '/message/m2',
      ttlKeptSeconds: null,
    });
    // A 204 receipt for a message nobody received: the service's receipt disagrees.
    witness.receipt('/message/m2', 204);
    expect(kinds(events)).toEqual([
      'message.accepted',
      'message.expired',
      'receipt.sent',
      'message.accepted',
      'receipt.sent',
    ]);
    const check = checkEvents(events);
    expect(check.countByRule['receipt-mismatch']).toBe(1);
    expect(check.violations[0]!.messageId).toBe('ext/m2');
  });

  it('the checker lists lost as not observable for an external service instead of judging it', () => {
    const { witness, events } = observe();
    witness.answered(witness.sending(send({ ttlSeconds: 1 })), {
      status: 201,
      accepted: true,
      messagePath: '/message/m1',
      ttlKeptSeconds: null,
    });
    const check = checkEvents(events, { endT: 10_000 });
    expect(check.violationCount).toBe(0);
    expect(check.notObservable).toEqual([
      expect.objectContaining({ rule: 'lost', serviceIds: ['ext'], unjudged: 1 }),
    ]);
    // The same story from the lab's own service is a lost message.
    const inside = events.map((e) =>
      e.kind === 'service.started' ? { ...e, external: undefined } : e,
    );
    const judged = checkEvents(inside as LabEvent[], { endT: 10_000 });
    expect(judged.countByRule.lost).toBe(1);
    expect(judged.notObservable).toEqual([]);
  });
});
