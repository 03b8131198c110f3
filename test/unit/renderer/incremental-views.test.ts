/**
 * The views that follow table versions by what changed (SubRowKeeper, QueueKeeper) show the
 * same as recomputing from scratch, for any sequence of versions, filters and sorts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { messagesOf, QueueKeeper } from '../../../src/renderer/src/features/messages/MessageQueue';
import {
  filterRows,
  sortRows,
  SubRowKeeper,
  SUB_STATES,
  toRows,
  type SubColumn,
  type SubFilter,
  type SubSort,
} from '../../../src/renderer/src/features/subscriptions/table';
import type {
  AgentView,
  MessageView,
  ServiceView,
  SubscriptionView,
} from '../../../src/shared/model';
import { Table } from '../../../src/shared/table';
import { stepMessage } from '../../../src/shared/lifecycle';

const COLUMNS: SubColumn[] = [
  'id',
  'owner',
  'profile',
  'created',
  'outstanding',
  'lastDelivery',
  'state',
];

const agents = (label: string) =>
  Table.from<AgentView>(
    ['ua0', 'ua1', 'ua2'].map((id) => [
      id,
      { id, role: 'user-agent', label: `${label}-${id}`, connected: true, serviceId: 'ps0' },
    ]),
  );
const services = Table.from<ServiceView>([
  ['ps0', { id: 'ps0', url: 'u', profile: 'rfc8030', running: true }],
  ['ps1', { id: 'ps1', url: 'u', profile: 'draft-thomson', running: true }],
]);

type SubStep =
  | { kind: 'set'; id: number; patch: Partial<SubscriptionView> }
  | { kind: 'delete'; id: number }
  | { kind: 'view'; filter: SubFilter; sort: SubSort }
  | { kind: 'agents'; label: string };

const subStep: fc.Arbitrary<SubStep> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      id: fc.integer({ min: 0, max: 150 }),
      patch: fc.record(
        {
          outstanding: fc.integer({ min: 0, max: 4 }),
          lastDeliveryAt: fc.option(fc.integer({ min: 0, max: 50 }), { nil: null }),
          state: fc.constantFrom(...SUB_STATES),
          createdAt: fc.integer({ min: 0, max: 20 }),
          agentId: fc.option(fc.constantFrom('ua0', 'ua1', 'ua2', 'gone'), { nil: null }),
          serviceId: fc.constantFrom('ps0', 'ps1', 'psX'),
        },
        { requiredKeys: [] },
      ),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), id: fc.nat(150) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('view' as const),
      filter: fc.record({
        text: fc.constantFrom('', 's1', 'UA1', ' 2 '),
        state: fc.constantFrom('all' as const, ...SUB_STATES),
      }),
      sort: fc.record({
        column: fc.constantFrom(...COLUMNS),
        dir: fc.constantFrom('asc' as const, 'desc' as const),
      }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('agents' as const), label: fc.string() }) },
);

describe('SubRowKeeper', () => {
  it('shows what filtering and sorting every row from scratch shows, keeping unchanged rows', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(subStep, { maxLength: 30, size: 'max' }), { maxLength: 40, size: 'max' }),
        (batches) => {
          const keeper = new SubRowKeeper();
          let subs = Table.empty<SubscriptionView>();
          let ags = agents('a');
          let filter: SubFilter = { text: '', state: 'all' };
          let sort: SubSort = { column: 'created', dir: 'asc' };
          let previous = keeper.rows(subs, ags, services, filter, sort);
          for (const batch of batches) {
            const draft = subs.edit();
            for (const step of batch) {
              if (step.kind === 'set') {
                const id = `s${step.id}`;
                const base: SubscriptionView = draft.get(id) ?? {
                  id,
                  serviceId: 'ps0',
                  agentId: 'ua0',
                  pushPath: '/p',
                  createdAt: step.id % 7,
                  state: 'active',
                  outstanding: 0,
                  lastDeliveryAt: null,
                };
                draft.set(id, { ...base, ...step.patch });
              } else if (step.kind === 'delete') draft.delete(`s${step.id}`);
              else if (step.kind === 'view') ({ filter, sort } = step);
              else ags = agents(step.label);
            }
            const before = subs;
            subs = draft.finish();
            const rows = keeper.rows(subs, ags, services, filter, sort);
            const expected = sortRows(filterRows(toRows(subs, ags, services), filter), sort);
            expect(rows).toEqual(expected);
            // Rows of subscriptions the batch did not touch are the same objects as before.
            const was = new Map(previous.map((r) => [r.id, r]));
            const sameAgents = batch.every((s) => s.kind !== 'agents');
            for (const row of rows) {
              const old = was.get(row.id);
              if (old && sameAgents && before.get(row.id) === subs.get(row.id)) {
                expect(row).toBe(old);
              }
            }
            previous = rows;
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('gives the same array back while nothing changed', () => {
    const keeper = new SubRowKeeper();
    const subs = Table.from<SubscriptionView>([
      [
        's1',
        {
          id: 's1',
          serviceId: 'ps0',
          agentId: null,
          pushPath: '/p',
          createdAt: 1,
          state: 'active',
          outstanding: 0,
          lastDeliveryAt: null,
        },
      ],
    ]);
    const ags = agents('a');
    const filter: SubFilter = { text: '', state: 'all' };
    const sort: SubSort = { column: 'id', dir: 'asc' };
    const a = keeper.rows(subs, ags, services, filter, sort);
    expect(keeper.rows(subs, ags, services, filter, sort)).toBe(a);
  });
});

type MsgStep =
  | { kind: 'accept'; sub: number; at: number }
  | { kind: 'update'; pick: number; state: MessageView['state'] }
  | { kind: 'delete'; pick: number }
  | { kind: 'select'; sub: number | null };

const msgStep: fc.Arbitrary<MsgStep> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('accept' as const),
      sub: fc.nat(3),
      at: fc.nat(30),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('update' as const),
      pick: fc.nat(),
      state: fc.constantFrom('queued', 'pushed', 'acked', 'expired' as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('select' as const),
      sub: fc.option(fc.nat(3), { nil: null }),
    }),
  },
);

describe('QueueKeeper', () => {
  it('lists what messagesOf lists, newest first, for any table versions', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(msgStep, { maxLength: 20, size: 'max' }), { maxLength: 40, size: 'max' }),
        (batches) => {
          const keeper = new QueueKeeper();
          let messages = Table.empty<MessageView>();
          let selected: string | null = 's0';
          let next = 0;
          for (const batch of batches) {
            const draft = messages.edit();
            for (const step of batch) {
              const ids = [...draft.values()].map((m) => m.id);
              if (step.kind === 'accept') {
                const id = `m${next++}`;
                draft.set(id, {
                  ...stepMessage(undefined, {
                    seq: 1,
                    t: step.at,
                    kind: 'message.accepted',
                    serviceId: 'svc',
                    subscriptionId: `s${step.sub}`,
                    messageId: id,
                    ttlSeconds: 1,
                    ttlRequestedSeconds: 1,
                    urgency: 'normal',
                    topic: null,
                    bytes: 1,
                    receiptRequested: false,
                    senderId: null,
                  })!,
                });
              } else if (step.kind === 'update' && ids.length > 0) {
                const id = ids[step.pick % ids.length]!;
                draft.set(id, { ...draft.get(id)!, state: step.state });
              } else if (step.kind === 'delete' && ids.length > 0) {
                draft.delete(ids[step.pick % ids.length]!);
              } else if (step.kind === 'select') {
                selected = step.sub === null ? null : `s${step.sub}`;
              }
            }
            const before = messages;
            const shownBefore = keeper.list(before, selected);
            messages = draft.finish();
            const list = keeper.list(messages, selected);
            expect(list).toEqual(messagesOf(messages, selected));
            // No message of the subscription changed: the very same list.
            const touched = [...messages.values(), ...before.values()].some(
              (m) => m.subscriptionId === selected && before.get(m.id) !== messages.get(m.id),
            );
            if (!touched) expect(list).toBe(shownBefore);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
