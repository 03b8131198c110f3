/**
 * The Table-based reducer against the record-based one it replaced (model-reference.ts), on
 * random event streams cut into random batches: the same model (entries and their order),
 * the same tables replaced by each batch, and no returned model ever changed afterwards.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LabEvent, LabEventBody } from '../../../src/shared/events';
import {
  applyEvents,
  emptyModel,
  FINISHED_MESSAGES_MAX,
  modelFromWire,
  modelToWire,
  type LabModel,
  type WireModel,
} from '../../../src/shared/model';
import { agentFactsToWire, emptyAgentFacts } from '../../../src/shared/model-agents';
import { referenceApplyEvents, referenceEmptyModel, type RecordModel } from './model-reference';

const TABLES = ['services', 'agents', 'subscriptions', 'messages'] as const;

interface Pools {
  services: number;
  agents: number;
  subscriptions: number;
  messages: number;
}

const pick = (prefix: string, n: number) =>
  fc.integer({ min: 0, max: n - 1 }).map((i) => `${prefix}${i}`);

/** One event body of any kind the reducer reads, with ids from small pools (so they meet). */
function body(p: Pools): fc.Arbitrary<LabEventBody> {
  const svc = pick('ps', p.services);
  const agent = pick('ua', p.agents);
  const sub = pick('s', p.subscriptions);
  const msg = pick('m', p.messages);
  const urgency = fc.constantFrom('very-low', 'low', 'normal', 'high' as const);
  return fc.oneof(
    fc.record({
      kind: fc.constant('service.started' as const),
      serviceId: svc,
      url: fc.constantFrom('https://a', 'https://b'),
      profile: fc.constantFrom('rfc8030', 'draft-thomson' as const),
    }),
    fc.record({ kind: fc.constant('service.stopped' as const), serviceId: svc }),
    fc.record({
      kind: fc.constant('agent.started' as const),
      agentId: agent,
      role: fc.constantFrom('user-agent', 'app-server', 'gateway', 'device' as const),
      label: fc.constantFrom('one', 'two'),
    }),
    fc.record({ kind: fc.constant('agent.connected' as const), agentId: agent, serviceId: svc }),
    fc.record({
      kind: fc.constant('agent.disconnected' as const),
      agentId: agent,
      serviceId: svc,
      reason: fc.constant('gone'),
    }),
    fc.record({
      kind: fc.constant('subscription.created' as const),
      serviceId: svc,
      subscriptionId: sub,
      agentId: fc.option(agent, { nil: null }),
      pushPath: fc.constant('/push/x'),
    }),
    fc.record({
      kind: fc.constant('subscription.deleted' as const),
      subscriptionId: sub,
      reason: fc.constantFrom('unsubscribed', 'expired' as const),
    }),
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('message.accepted' as const),
        serviceId: svc,
        subscriptionId: sub,
        messageId: msg,
        ttlSeconds: fc.integer({ min: 0, max: 100 }),
        ttlRequestedSeconds: fc.integer({ min: 0, max: 100 }),
        urgency,
        topic: fc.option(fc.constantFrom('t1', 't2'), { nil: null }),
        bytes: fc.integer({ min: 0, max: 4096 }),
        receiptRequested: fc.boolean(),
        senderId: fc.option(agent, { nil: null }),
      }),
    },
    fc.record({
      kind: fc.constant('message.rejected' as const),
      serviceId: svc,
      subscriptionId: fc.option(sub, { nil: null }),
      status: fc.constantFrom(404, 413, 429),
      detail: fc.constant('no'),
    }),
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('message.pushed' as const),
        subscriptionId: sub,
        messageId: msg,
        attempt: fc.integer({ min: 1, max: 3 }),
        urgencyMin: urgency,
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('message.received' as const),
        agentId: agent,
        subscriptionId: sub,
        messageId: msg,
        bytes: fc.integer({ min: 0, max: 100 }),
        duplicate: fc.boolean(),
        decryption: fc.constant('ok' as const),
        preview: fc.constant('hi'),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('message.acked' as const),
        subscriptionId: sub,
        messageId: msg,
      }),
    },
    fc.record({
      kind: fc.constant('message.expired' as const),
      subscriptionId: sub,
      messageId: msg,
    }),
    fc.record({
      kind: fc.constant('message.replaced' as const),
      subscriptionId: sub,
      messageId: msg,
      byMessageId: msg,
    }),
    fc.record({
      kind: fc.constant('message.dropped' as const),
      subscriptionId: sub,
      messageId: msg,
      reason: fc.constantFrom('subscription-deleted', 'ttl-zero-not-connected' as const),
    }),
    fc.record({
      kind: fc.constant('receipt.sent' as const),
      messageId: msg,
      status: fc.constantFrom(204, 410 as const),
    }),
    fc.record({
      kind: fc.constant('limit.reached' as const),
      what: fc.constant('queue' as const),
      subjectId: sub,
      limit: fc.constant(10),
    }),
  ) as fc.Arbitrary<LabEventBody>;
}

/**
 * Events with rising seq and t, now and then one repeated or out of date (the reducer skips
 * those), cut into batches.
 */
function stream(p: Pools, maxEvents: number, minEvents = 0): fc.Arbitrary<LabEvent[][]> {
  return fc
    .tuple(
      fc.array(fc.tuple(body(p), fc.integer({ min: 0, max: 19 })), {
        minLength: minEvents,
        maxLength: maxEvents,
        size: 'max',
      }),
      fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 200, size: 'max' }),
    )
    .map(([items, cuts]) => {
      const events: LabEvent[] = [];
      let seq = 0;
      let t = 1000;
      for (const [b, roll] of items) {
        t += roll;
        // roll 0: an event at or below the last seq (a duplicate, or an old one replayed).
        const s = roll === 0 && seq > 0 ? seq - (roll % 2) : ++seq;
        events.push({ ...b, seq: s, t } as LabEvent);
      }
      const batches: LabEvent[][] = [];
      for (let i = 0, c = 0; i < events.length; c++) {
        const n = cuts[c % cuts.length]!;
        batches.push(events.slice(i, i + n));
        i += n;
      }
      return batches;
    });
}

/**
 * Many messages through their whole life (accepted, maybe pushed, then finished one way or
 * another), mixed with random events, so more finish than the model keeps.
 */
function lives(p: Pools, count: number): fc.Arbitrary<LabEvent[][]> {
  const life = fc.tuple(
    fc.integer({ min: 0, max: p.subscriptions - 1 }),
    fc.constantFrom('message.acked', 'message.expired', 'message.replaced', 'message.dropped'),
    fc.boolean(),
  );
  return fc
    .tuple(fc.array(life, { minLength: count, maxLength: count }), stream(p, count, count))
    .map(([items, noise]) => {
      const random = noise.flat();
      const bodies: LabEventBody[] = [];
      items.forEach(([s, end, pushed], k) => {
        const ids = { subscriptionId: `s${s}`, messageId: `life${k}` };
        bodies.push({
          kind: 'message.accepted',
          serviceId: 'ps0',
          ...ids,
          ttlSeconds: 60,
          ttlRequestedSeconds: 60,
          urgency: 'normal',
          topic: null,
          bytes: 1,
          receiptRequested: false,
          senderId: null,
        });
        if (pushed) {
          bodies.push({ kind: 'message.pushed', ...ids, attempt: 1, urgencyMin: 'very-low' });
        }
        const r = random[k];
        if (r) bodies.push(r);
        bodies.push({
          kind: end,
          ...ids,
          byMessageId: 'x',
          reason: 'subscription-deleted',
        } as LabEventBody);
      });
      const events = bodies.map((b, i) => ({ ...b, seq: i + 1, t: 1000 + i }) as LabEvent);
      const batches: LabEvent[][] = [];
      for (let i = 0; i < events.length; i += 1 + (i % 37)) {
        batches.push(events.slice(i, i + 1 + (i % 37)));
      }
      return batches;
    });
}

/**
 * The reference model in wire form (its tables are records already). It folds messages only:
 * these streams carry no agent or link facts, so those stay empty (model-agents.test.ts).
 */
const asWire = (m: RecordModel): WireModel => ({ ...agentFactsToWire(emptyAgentFacts()), ...m });

/** Compares whole models after every `every`-th batch (and the last); identities after each. */
function check(batches: readonly LabEvent[][], every = 1): void {
  let model: LabModel = emptyModel();
  let reference = referenceEmptyModel();
  const kept: { model: LabModel; wire: WireModel | null }[] = [];
  for (const batch of batches) {
    const next = applyEvents(model, batch);
    const nextReference = referenceApplyEvents(reference, batch);
    for (const table of TABLES) {
      // Replaced by exactly the batches that changed it.
      expect(next[table] === model[table]).toBe(nextReference[table] === reference[table]);
    }
    expect(next.counters === model.counters).toBe(nextReference.counters === reference.counters);
    if (kept.length % every === 0 || batch === batches[batches.length - 1]) {
      const wire = modelToWire(next);
      expect(wire).toEqual(asWire(nextReference));
      // The same entries in the same order.
      for (const table of TABLES) {
        expect(Object.keys(wire[table])).toEqual(Object.keys(nextReference[table]));
      }
      kept.push({ model: next, wire });
    } else kept.push({ model: next, wire: null });
    model = next;
    reference = nextReference;
  }
  // Every model handed out is still what it was, and still equals its wire form read back.
  for (const { model: m, wire } of kept) {
    if (wire === null) continue;
    expect(modelToWire(m)).toEqual(wire);
    expect(modelFromWire(wire)).toEqual(m);
  }
  // One batch or many: the same model (snapshot + later events = live state).
  expect(applyEvents(emptyModel(), batches.flat())).toEqual(model);
}

describe('the Table-based reducer keeps the record-based semantics', () => {
  it('on short random streams with ids that often meet', () => {
    const pools = { services: 2, agents: 4, subscriptions: 5, messages: 12 };
    fc.assert(
      fc.property(stream(pools, 120), (batches) => check(batches)),
      { numRuns: 200 },
    );
  });

  it('on long streams that finish more messages than it keeps', () => {
    const pools = { services: 2, agents: 20, subscriptions: 40, messages: 400 };
    fc.assert(
      fc.property(lives(pools, FINISHED_MESSAGES_MAX + 700), (batches) => {
        check(batches, 25);
        const model = applyEvents(emptyModel(), batches.flat());
        expect(model.finishedOrder.length).toBe(FINISHED_MESSAGES_MAX);
        expect(model.messages.get('life0')).toBeUndefined();
      }),
      { numRuns: 5 },
    );
  }, 60_000);

  it('branches: folding onto an old model leaves the newer ones alone', () => {
    const pools = { services: 2, agents: 4, subscriptions: 6, messages: 30 };
    fc.assert(
      fc.property(stream(pools, 200), stream(pools, 60), (main, other) => {
        const models: LabModel[] = [];
        let m = emptyModel();
        for (const b of main) models.push((m = applyEvents(m, b)));
        const wires = models.map(modelToWire);
        const lastSeq = m.seq;
        const extra = other.flat().map((e, i) => ({ ...e, seq: lastSeq + i + 1 }));
        for (const [i, base] of models.entries()) {
          const branch = applyEvents(base, extra);
          const reference = referenceApplyEvents(modelToWire(base) as RecordModel, extra);
          expect(modelToWire(branch)).toEqual(asWire(reference));
          expect(modelToWire(models[i]!)).toEqual(wires[i]);
        }
        for (const [i, model] of models.entries()) expect(modelToWire(model)).toEqual(wires[i]);
      }),
      { numRuns: 60 },
    );
  });
});
