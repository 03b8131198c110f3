import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LabEvent, Urgency } from '../../../src/shared/events';
import { RealClock } from '../../../src/main/engine/clock/real';
import { VirtualClock } from '../../../src/main/engine/clock/virtual';
import { PushCore, type Subscription } from '../../../src/main/engine/push/core';
import { storeLocation } from '../../../src/main/engine/push/store/location';
import { RedisStore } from '../../../src/main/engine/push/store/redis';
import type { PushStore } from '../../../src/main/engine/push/store/store';
import { WAL_FILE, WalStore } from '../../../src/main/engine/push/store/wal';
import {
  DEFAULT_SERVICE_LIMITS,
  type Monitor,
  type StoredMessage,
} from '../../../src/main/engine/push/types';
import { EventBus } from '../../../src/main/engine/trace/bus';
import { eventually } from '../../helpers/poll';
import { noRedisReason, startRedis, type RedisServer } from '../../helpers/redis';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'push-lab-store-core-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A store the core journals to, and what a kill -9 of the service leaves of it. The same
 * cases run on each: the core must not know which store it has.
 */
interface Backend {
  name: string;
  /** A new, empty place for a store (a directory; a service's keys in Redis). */
  place(): string;
  open(place: string, clock: VirtualClock): Promise<PushStore>;
  /** What reopening after a crash finds: the durable state at this moment. */
  crashCopy(place: string): Promise<string>;
}

const wal: Backend = {
  name: 'write-ahead log',
  place: tempDir,
  open: (dir) => WalStore.open(dir),
  // The log as it is on disk now, in a directory of its own.
  async crashCopy(dir) {
    const copy = tempDir();
    copyFileSync(path.join(dir, WAL_FILE), path.join(copy, WAL_FILE));
    return copy;
  },
};

let redisServer: RedisServer | null = null;
let redisServices = 0;
const redisStores = new Set<PushStore>();
const redis: Backend = {
  name: 'Redis',
  place: () => `core${++redisServices}`,
  // The lock's renewals follow Redis's time, not the core's virtual one.
  async open(serviceId) {
    const location = storeLocation(redisServer!.url);
    if (!('redis' in location)) throw new Error('not a Redis URL');
    const store = await RedisStore.open(location.redis, { serviceId, clock: new RealClock() });
    redisStores.add(store);
    return store;
  },
  // The service's connection drops (as in kill -9): Redis holds what was acknowledged.
  async crashCopy(serviceId) {
    const failed: PushStore[] = [];
    for (const store of redisStores) store.onFailure(() => failed.push(store));
    await redisServer!.command('client', 'kill', 'type', 'normal');
    await eventually('the crashed stores to fail', () => failed.length === redisStores.size);
    redisStores.clear();
    return serviceId;
  },
};

const BACKENDS = [
  { backend: wal, skip: null },
  { backend: redis, skip: noRedisReason },
];

for (const { backend, skip } of BACKENDS) {
  describe.skipIf(skip !== null)(`on the ${backend.name} ${skip ?? ''}`, () => {
    if (backend === redis) {
      beforeAll(async () => {
        redisServer = await startRedis();
      });
      afterAll(async () => {
        await redisServer?.stop();
      });
      // The stores a test opened are closed by its cleanups: a later crash is not theirs.
      afterEach(() => redisStores.clear());
    }
    storeCases(backend);
  });
}

/** A core on a virtual clock, restored from (and journaling to) the store at `place`. */
async function durableCore(backend: Backend, place: string, startMs: number) {
  const clock = new VirtualClock(startMs);
  const bus = new EventBus(clock);
  const events: LabEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const core = new PushCore('ps1', clock, bus, DEFAULT_SERVICE_LIMITS);
  const store = await backend.open(place, clock);
  cleanups.push(() => store.close());
  const announced: string[] = [];
  core.restore(store, (sub) => announced.push(sub.id));
  return { clock, core, events, store, announced };
}

class AckingMonitor implements Monitor {
  delivered: StoredMessage[] = [];
  constructor(readonly urgencyMin: Urgency = 'very-low') {}
  deliver(message: StoredMessage): boolean {
    this.delivered.push(message);
    return true;
  }
  end(): void {}
}

function send(core: PushCore, sub: Subscription, ttlSeconds: number, extra: object = {}) {
  const outcome = core.send(sub, {
    body: Buffer.from(`ttl ${ttlSeconds} ${JSON.stringify(extra)}`),
    contentHeaders: { 'content-encoding': 'aes128gcm' },
    ttlSeconds,
    urgency: 'normal',
    topic: null,
    receiptSubscriptionId: null,
    senderId: null,
    ...extra,
  });
  if (outcome.kind !== 'accepted') throw new Error(`not accepted: ${outcome.kind}`);
  return outcome;
}

function storeCases(backend: Backend): void {
  describe('PushCore with a durable store', () => {
    it('restores what was durable at the crash: queues, sets, receipts, attempts; acked and replaced stay gone', async () => {
      const dir = backend.place();
      const t0 = 1_700_000_000_000;
      const a = await durableCore(backend, dir, t0);
      const set = a.core.createSet();
      const sub = a.core.subscribe('ua1', null, set)!;
      const receipt = a.core.createReceiptSubscription()!;
      const m1 = send(a.core, sub, 60);
      const m2 = send(a.core, sub, 10, { receiptSubscriptionId: receipt.id });
      const m3 = send(a.core, sub, 60, { topic: 't' });
      const m4 = send(a.core, sub, 60, { topic: 't' }); // replaces m3
      const monitor = new AckingMonitor();
      a.core.attachMonitor(sub, monitor); // pushes m1, m2, m4
      a.core.ack(m1.messageToken);
      a.core.detachMonitor(sub, monitor);
      const m5 = send(a.core, sub, 0); // nobody monitors: expires at once
      await a.core.durable();
      const crashed = await backend.crashCopy(dir);

      // Restarted 30 s later: m2 (TTL 10) has expired meanwhile, m4 has 30 s left.
      const b = await durableCore(backend, crashed, t0 + 30_000);
      expect(b.announced).toEqual([sub.id]);
      const restored = b.core.bySubscriptionToken(sub.token)!;
      expect(restored).toMatchObject({ id: sub.id, pushToken: sub.pushToken, agentId: 'ua1' });
      expect(b.core.setByToken(set.token)!.members.has(restored)).toBe(true);
      expect([...restored.queue.keys()]).toEqual([m4.messageId]);
      expect(restored.queue.get(m4.messageId)!.attempts).toBe(1);
      expect(restored.topics.get('t')!.id).toBe(m4.messageId);
      for (const gone of [m1, m3, m5])
        expect(b.core.messageByToken(gone.messageToken)).toBeUndefined();
      const expired = b.events.filter((e) => e.kind === 'message.expired');
      expect(expired).toMatchObject([{ messageId: m2.messageId }]);
      const receiptAfter = b.core.receiptSubscriptionByToken(receipt.token)!;
      expect(receiptAfter.pending).toEqual([{ messageToken: m2.messageToken, status: 410 }]);

      // A user agent that reconnects gets every outstanding message.
      const again = new AckingMonitor();
      expect(b.core.attachMonitor(restored, again)).toBe(1);
      expect(again.delivered[0]!.body.toString()).toContain('"topic":"t"');
      b.core.detachMonitor(restored, again);

      // The rest of m4's TTL, not a new one.
      b.clock.advance(29_999);
      expect(restored.queue.size).toBe(1);
      b.clock.advance(1);
      expect(restored.queue.size).toBe(0);

      // Ids continue after the highest restored one.
      const next = b.core.subscribe('ua2')!;
      expect(next.id).toBe('ps1.s2');
      expect(send(b.core, next, 60).messageId).toBe('ps1.m6');
      expect(b.core.createReceiptSubscription()!.id).toBe('ps1.r2');
      expect(b.core.createSet().id).toBe('ps1.set2');

      // What happened after the restart (the expiries) is journaled too.
      await b.core.durable();
      const c = await durableCore(backend, await backend.crashCopy(crashed), t0 + 31_000);
      expect([...c.core.bySubscriptionToken(sub.token)!.queue.keys()]).toEqual([]);
      expect([...c.core.byPushToken(next.pushToken)!.queue.keys()]).toEqual(['ps1.m6']);
    });

    it('a restored message is the message accepted: every field, its sender, its VAPID label, the TTL asked for', async () => {
      const dir = backend.place();
      const t0 = 1_700_000_000_000;
      const a = await durableCore(backend, dir, t0);
      const sub = a.core.subscribe('ua1', 'BKey', 'new')!;
      const receipt = a.core.createReceiptSubscription()!;
      // A lab application server, signing with the draft WebPush scheme, asking past the cap.
      const signed = send(a.core, sub, DEFAULT_SERVICE_LIMITS.ttlSecondsMax + 5, {
        senderId: 'as1',
        legacyVapid: true,
        contentHeaders: { 'content-encoding': 'aesgcm', encryption: 'salt=abc' },
        urgency: 'high',
        topic: 'news',
        receiptSubscriptionId: receipt.id,
      });
      const plain = send(a.core, sub, 60);
      const monitor = new AckingMonitor();
      a.core.attachMonitor(sub, monitor);
      a.core.detachMonitor(sub, monitor); // one attempt each, neither acknowledged
      const accepted = a.events.filter((e) => e.kind === 'message.accepted');
      const inMemory = [signed, plain].map((m) => ({
        ...a.core.messageByToken(m.messageToken)!,
        inFlightOn: null,
      }));
      const subscription = a.core.byId(sub.id)!;
      await a.core.durable();

      const b = await durableCore(backend, await backend.crashCopy(dir), t0 + 1000);
      // Every field the core keeps in memory comes back, not only the ones a test names.
      const restored = [signed, plain].map((m) => b.core.messageByToken(m.messageToken));
      expect(restored).toEqual(inMemory);
      const { queue, topics, monitors, set, ...fields } = b.core.byId(sub.id)!;
      const { queue: q, topics: t, monitors: m, set: s, ...before } = subscription;
      expect(fields).toEqual(before);
      expect([set?.id, [...queue.keys()], [...topics.keys()]]).toEqual([
        s?.id,
        [...q.keys()],
        [...t.keys()],
      ]);
      expect(m.size + monitors.size).toBe(0);
      // The restart reports them as they were accepted.
      const again = b.events.filter((e) => e.kind === 'message.accepted');
      expect(again).toEqual(accepted.map((e) => ({ ...e, seq: expect.any(Number), t: t0 + 1000 })));
    });

    it('a receipt held for an absent application server survives the crash; one delivered does not come back', async () => {
      const dir = backend.place();
      const a = await durableCore(backend, dir, 0);
      const sub = a.core.subscribe('ua1')!;
      const receipt = a.core.createReceiptSubscription()!;
      const m1 = send(a.core, sub, 60, { receiptSubscriptionId: receipt.id });
      const m2 = send(a.core, sub, 60, { receiptSubscriptionId: receipt.id });
      const m3 = send(a.core, sub, 60, { receiptSubscriptionId: receipt.id });
      a.core.attachMonitor(sub, new AckingMonitor());
      a.core.ack(m1.messageToken); // no receipt monitor: held
      const taken: string[] = [];
      const receiptMonitor = {
        deliverReceipt: (token: string, status: number) => (taken.push(`${token} ${status}`), true),
        end: () => {},
      };
      a.core.attachReceiptMonitor(receipt, receiptMonitor); // takes m1's
      a.core.detachReceiptMonitor(receipt, receiptMonitor);
      a.core.ack(m2.messageToken); // held again
      expect(taken).toEqual([`${m1.messageToken} 204`]);
      await a.core.durable();

      const copy = await backend.crashCopy(dir);
      const b = await durableCore(backend, copy, 1000);
      const restored = b.core.receiptSubscriptionById(receipt.id)!;
      expect(restored.pending).toEqual([{ messageToken: m2.messageToken, status: 204 }]);
      expect(restored.outstanding).toBe(1); // m3, not acknowledged yet
      b.core.attachReceiptMonitor(restored, receiptMonitor);
      expect(taken).toEqual([`${m1.messageToken} 204`, `${m2.messageToken} 204`]);
      await b.core.durable();

      const c = await durableCore(backend, await backend.crashCopy(copy), 2000);
      expect(c.core.receiptSubscriptionById(receipt.id)!.pending).toEqual([]);
      expect(c.core.messageByToken(m3.messageToken)).toBeDefined();
    });

    it('held receipts of a receipt subscription deleted meanwhile are dropped at restore', async () => {
      const dir = backend.place();
      const a = await durableCore(backend, dir, 0);
      const sub = a.core.subscribe('ua1')!;
      const receipt = a.core.createReceiptSubscription()!;
      const m1 = send(a.core, sub, 60, { receiptSubscriptionId: receipt.id });
      a.core.attachMonitor(sub, new AckingMonitor());
      a.core.ack(m1.messageToken);
      a.core.deleteReceiptSubscription(receipt);
      await a.core.durable();

      const copy = await backend.crashCopy(dir);
      const b = await durableCore(backend, copy, 1000);
      expect(b.core.receiptSubscriptionById(receipt.id)).toBeUndefined();
      await b.core.durable();
      // Nothing held is left for a later restart: the log dropped it with its receipt
      // subscription, the restore released what Redis still held.
      const after = await backend.open(await backend.crashCopy(copy), new VirtualClock(2000));
      cleanups.push(() => after.close());
      expect([...(after.state().heldReceipts ?? [])]).toEqual([]);
    });

    it('deleting a subscription, a set or a receipt subscription is durable', async () => {
      const dir = backend.place();
      const a = await durableCore(backend, dir, 0);
      const set = a.core.createSet();
      const kept = a.core.subscribe('ua1', null, set)!;
      const gone = a.core.subscribe('ua1')!;
      send(a.core, gone, 60);
      a.core.deleteSubscription(gone, 'unsubscribed');
      const receipt = a.core.createReceiptSubscription()!;
      a.core.deleteReceiptSubscription(receipt);
      const set2 = a.core.createSet();
      a.core.subscribe('ua1', null, set2);
      a.core.deleteSet(set2, 'unsubscribed');
      await a.core.durable();

      const b = await durableCore(backend, await backend.crashCopy(dir), 1000);
      expect([...b.core.allSubscriptions()].map((s) => s.id)).toEqual([kept.id]);
      expect(b.core.bySubscriptionToken(gone.token)).toBeUndefined();
      expect(b.core.receiptSubscriptionByToken(receipt.token)).toBeUndefined();
      expect(b.core.setByToken(set2.token)).toBeUndefined();
      expect(b.core.setByToken(set.token)).toBeDefined();
    });

    it('without a store, durable() is null: the in-memory path answers synchronously', () => {
      const clock = new VirtualClock(0);
      const core = new PushCore('ps1', clock, new EventBus(clock), DEFAULT_SERVICE_LIMITS);
      send(core, core.subscribe(null)!, 60);
      expect(core.durable()).toBeNull();
    });
  });

  describe('a restored core keeps its limits', () => {
    it('counts restored messages against storedBytesMax, keeps a referred receipt subscription, drops an empty set, and idles what nobody monitors', async () => {
      const dir = backend.place();
      const t0 = 1_700_000_000_000;
      const a = await durableCore(backend, dir, t0);
      const sub = a.core.subscribe('ua1', null, 'new')!;
      const receipt = a.core.createReceiptSubscription()!;
      send(a.core, sub, 3600, { receiptSubscriptionId: receipt.id });
      send(a.core, sub, 3600);
      const emptySet = a.core.createSet(); // made, never used
      await a.store.durable();
      const before = a.core.stats();
      expect(before.storedBytes).toBeGreaterThan(0);

      const b = await durableCore(backend, await backend.crashCopy(dir), t0 + 1000);
      const after = b.core.stats();
      expect(after.storedBytes).toBe(before.storedBytes);
      expect(after.subscriptions).toBe(1);
      expect(b.core.setByToken(emptySet.token)).toBeUndefined();
      expect(b.core.setByToken(sub.set!.token)).toBeDefined();

      // The receipt subscription has an outstanding message: it outlives its idle time.
      const receiptIdleMs = DEFAULT_SERVICE_LIMITS.receiptSubscriptionIdleSecondsMax * 1000;
      b.clock.advance(receiptIdleMs + 1000);
      expect(b.core.receiptSubscriptionById(receipt.id)).toBeDefined();
      // Nobody monitors the subscription: it expires after its idle time (counted from the restart).
      const subscriptionIdleMs = DEFAULT_SERVICE_LIMITS.subscriptionIdleSecondsMax * 1000;
      b.clock.advance(subscriptionIdleMs);
      expect(b.core.byId(sub.id)).toBeUndefined();
      expect(b.core.stats().storedBytes).toBe(0);
    });
  });
}

/** Where each whole record of a log ends (its frames: [u32 length][u32 CRC][payload]). */
function recordEnds(log: Buffer): number[] {
  const ends: number[] = [];
  let offset = 'PUSHLAB-WAL 1\n'.length;
  while (offset + 8 <= log.length) {
    offset += 8 + log.readUInt32LE(offset);
    ends.push(offset);
  }
  return ends;
}

describe('a batch torn by a crash (write-ahead log)', () => {
  // A batch is one writev, which libuv splits past IOV_MAX pieces: a kill -9 (or a power cut
  // before its fdatasync) can keep any prefix of its records. The 204 / 201 waits for the
  // batch, so whatever prefix survives, what was promised must.
  const ends = [
    { how: 'acknowledged', status: 204, end: (core: PushCore, token: string) => core.ack(token) },
    {
      how: 'dropped',
      status: 410,
      end: (core: PushCore, token: string) =>
        core.dropQueued(core.byId(core.messageByToken(token)!.subscriptionId)!, 'reset'),
    },
    {
      how: 'expired',
      status: 410,
      end: (core: PushCore, _token: string, clock?: VirtualClock) => clock!.advance(60_000),
    },
  ] as const;
  for (const { how, status, end } of ends) {
    it(`a message ${how}: wherever the batch is cut, either the message or its receipt survives, and the receipt is sent once`, async () => {
      const dir = tempDir();
      const a = await durableCore(wal, dir, 0);
      const sub = a.core.subscribe('ua1')!;
      const receipt = a.core.createReceiptSubscription()!;
      const m = send(a.core, sub, 60, { receiptSubscriptionId: receipt.id });
      if (how === 'acknowledged') a.core.attachMonitor(sub, new AckingMonitor());
      await a.core.durable();
      const before = readFileSync(path.join(dir, WAL_FILE)).length;
      end(a.core, m.messageToken, a.clock);
      await a.core.durable();
      const log = readFileSync(path.join(dir, WAL_FILE));
      const cuts = [before, ...recordEnds(log).filter((e) => e > before)];
      expect(cuts.length).toBeGreaterThanOrEqual(3); // the receipt held, the message finished

      for (const cut of cuts) {
        const copy = tempDir();
        writeFileSync(path.join(copy, WAL_FILE), log.subarray(0, cut));
        const b = await durableCore(wal, copy, 1000);
        const restored = b.core.receiptSubscriptionById(receipt.id)!;
        const stored = b.core.messageByToken(m.messageToken) !== undefined;
        // One or the other, never neither (lost) nor both (sent twice).
        expect({ cut, stored, held: restored.pending.length }).toEqual({
          cut,
          stored,
          held: stored ? 0 : 1,
        });
        if (stored) {
          if (how === 'acknowledged')
            b.core.attachMonitor(b.core.byId(sub.id)!, new AckingMonitor());
          end(b.core, m.messageToken, b.clock);
        }
        expect(restored.pending).toEqual([{ messageToken: m.messageToken, status }]);
      }
    });
  }
});
