/**
 * The Redis store against a real redis-server (test/helpers/redis.ts): what it writes comes
 * back at open, writes go out as group commits, a lost connection or a refused write fails
 * it with one sentence, and one serve at a time holds a service's state.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RealClock } from '../../../src/main/engine/clock/real';
import { storeLocation, type RedisAddress } from '../../../src/main/engine/push/store/location';
import {
  compareStreamIds,
  decodeMessage,
  encodeMessage,
  REDIS_BATCH_COMMANDS_MAX,
  REDIS_CHANGES_KEPT_MAX,
  redisKeys,
  RedisStore,
} from '../../../src/main/engine/push/store/redis';
import type {
  MessageRecord,
  RemoteChange,
  SubscriptionRecord,
} from '../../../src/main/engine/push/store/store';
import { eventually } from '../../helpers/poll';
import { noRedisReason, startRedis, type RedisServer } from '../../helpers/redis';

const clock = new RealClock();
let redis: RedisServer;
let service = 0;
const stores: RedisStore[] = [];

function address(server: RedisServer = redis): RedisAddress {
  const location = storeLocation(server.url);
  if (!('redis' in location)) throw new Error(`not a redis location: ${server.url}`);
  return location.redis;
}

/** Each test on a service of its own: no state, no lock shared with another test. */
function freshService(): string {
  return `t${++service}`;
}

async function open(
  serviceId: string,
  server: RedisServer = redis,
  instance?: string,
): Promise<RedisStore> {
  const store = await RedisStore.open(address(server), {
    serviceId,
    clock,
    ...(instance === undefined ? {} : { instance }),
  });
  stores.push(store);
  return store;
}

function message(n: number, extra: Partial<MessageRecord> = {}): MessageRecord {
  return {
    id: `ps1.m${n}`,
    token: `tok${n}`,
    subscriptionId: 'ps1.s1',
    // Every byte value: a body is binary, not text.
    body: Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7 + n) & 0xff)),
    contentHeaders: { 'content-encoding': 'aes128gcm' },
    ttlSeconds: 60,
    // Asked for more than the service kept; sent by a lab agent, signed the draft way.
    ttlRequestedSeconds: 90,
    acceptedAtMs: 1000 + n,
    expiresAtMs: 61_000 + n,
    urgency: 'normal',
    topic: n % 2 ? 't' : null,
    receiptSubscriptionId: null,
    senderId: 'as1',
    legacyVapid: true,
    attempts: 0,
    ...extra,
  };
}

function subscription(extra: Partial<SubscriptionRecord> = {}): SubscriptionRecord {
  return {
    id: 'ps1.s1',
    token: 'subtok',
    pushToken: 'pushtok',
    agentId: 'ua1',
    createdAtMs: 5,
    vapidKey: null,
    setId: 'ps1.set1',
    ...extra,
  };
}

function seed(store: RedisStore): void {
  store.putSet({ id: 'ps1.set1', token: 'settok' });
  store.putReceiptSubscription({ id: 'ps1.r1', token: 'rtok' });
  store.putSubscription(subscription());
}

describe.skipIf(noRedisReason !== null)(`RedisStore ${noRedisReason ?? ''}`, () => {
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });

  it('reads back at open what was durable: records, attempts, finishes, bodies byte for byte', async () => {
    const id = freshService();
    const a = await open(id);
    seed(a);
    for (let n = 1; n <= 12; n++) a.putMessage(message(n));
    a.setAttempts('ps1.m3', 2);
    a.finishMessage('ps1.m2');
    a.finishMessage('ps1.m12'); // the highest: its number must not be issued again
    a.putSubscription({
      id: 'ps1.s2',
      token: 'x',
      pushToken: 'y',
      agentId: null,
      createdAtMs: 6,
      vapidKey: 'key',
      setId: null,
    });
    a.deleteSubscription('ps1.s2');
    await a.durable();
    await a.close();

    const b = await open(id);
    const state = b.state();
    expect([...state.sets]).toEqual([{ id: 'ps1.set1', token: 'settok' }]);
    expect([...state.receiptSubscriptions]).toEqual([{ id: 'ps1.r1', token: 'rtok' }]);
    expect([...state.subscriptions].map((s) => s.id)).toEqual(['ps1.s1']);
    const messages = [...state.messages];
    // Acceptance order (by id number, not Redis's hash order).
    expect(messages.map((m) => m.id)).toEqual(
      [1, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((n) => `ps1.m${n}`),
    );
    expect(messages[1]).toEqual(message(3, { attempts: 2 }));
    expect(messages[0]!.body.equals(message(1).body)).toBe(true);
    expect(state.highestIds).toEqual({
      sets: 1,
      receiptSubscriptions: 1,
      subscriptions: 2,
      messages: 12,
    });
    // Handed over once: the store keeps no copy of the bodies.
    expect([...b.state().messages]).toEqual([]);
  });

  it('encodes a message as one value and refuses one that is not', () => {
    const m = message(7, { body: Buffer.alloc(0) });
    expect(decodeMessage(encodeMessage(m))).toEqual(m);
    expect(decodeMessage(Buffer.from([1, 0]))).toBeNull();
    expect(decodeMessage(Buffer.from([200, 0, 0, 0, 1]))).toBeNull();
  });

  it('group commit: a thousand calls in one turn go out as one MULTI…EXEC', async () => {
    const a = await open(freshService());
    const before = a.stats.batches;
    for (let n = 1; n <= 1000; n++) a.putMessage(message(n));
    await a.durable();
    expect(a.stats.batches - before).toBe(1);
    // More than a batch holds: split, and durable() waits for the last one.
    for (let n = 1; n <= REDIS_BATCH_COMMANDS_MAX + 5; n++) a.setAttempts(`ps1.m${n % 1000}`, 1);
    await a.durable();
    expect(a.stats.batches - before).toBe(3);
  });

  it('a write Redis refuses fails the store: every waiter and every later one, reported once', async () => {
    const server = await startRedis();
    try {
      const a = await open(freshService(), server);
      const failures: Error[] = [];
      a.onFailure((e) => failures.push(e));
      await server.command('config', 'set', 'maxmemory-policy', 'noeviction');
      await server.command('config', 'set', 'maxmemory', '1');
      a.putMessage(message(1));
      const first = a.durable();
      await expect(first).rejects.toMatchObject({
        code: 'ERR_STORE_IO',
        message: expect.stringMatching(
          new RegExp(`^store ${server.url}: Redis refused a write \\(OOM.*takes no more writes$`),
        ),
      });
      a.putMessage(message(2));
      await expect(a.durable()).rejects.toBe(await first.catch((e: unknown) => e));
      expect(failures).toHaveLength(1);
    } finally {
      await server.stop();
    }
  });

  it('a lost connection fails the store with one sentence, and nothing is retried', async () => {
    const server = await startRedis();
    try {
      const a = await open(freshService(), server);
      const failures: Error[] = [];
      a.onFailure((e) => failures.push(e));
      seed(a);
      await a.durable();
      await server.kill();
      await eventually('the store to fail', () => failures.length === 1);
      expect(failures[0]!.message).toMatch(
        new RegExp(
          `^store ${server.url}: the connection to Redis was lost \\(.*\\); nothing since`,
        ),
      );
      a.putMessage(message(1));
      await expect(a.durable()).rejects.toBe(failures[0]);
    } finally {
      await server.stop();
    }
  });

  it('a Redis that does not answer refuses the open, naming the URL', async () => {
    const server = await startRedis();
    const gone = address(server);
    await server.stop();
    await expect(RedisStore.open(gone, { serviceId: 'x', clock })).rejects.toMatchObject({
      code: 'ERR_STORE_IO',
      message: `store ${gone.url}: cannot connect to Redis (ECONNREFUSED)`,
    });
  });

  it('one open at a time: a second is refused naming the holder; closing frees it', async () => {
    const id = freshService();
    const a = await open(id);
    await expect(open(id)).rejects.toMatchObject({
      code: 'ERR_STORE_LOCKED',
      message: expect.stringContaining(`is in use by process ${process.pid} on `),
    });
    await a.close();
    const b = await open(id);
    expect(b.state().highestIds.messages).toBe(0);
  });

  it('takes over the lock of a holder that died on this machine', async () => {
    const id = freshService();
    // What a serve killed with -9 leaves: its lock, naming a pid that no longer runs.
    const dead = { host: (await import('node:os')).hostname(), pid: 2 ** 22 + 17, open: 1 };
    await redis.command('set', redisKeys(id).lock, JSON.stringify(dead), 'px', 60_000);
    const b = await open(id);
    expect(b.state().messages).toEqual([]);
    // A holder on another machine is not second-guessed.
    const other = freshService();
    await redis.command(
      'set',
      redisKeys(other).lock,
      JSON.stringify({ ...dead, host: 'elsewhere' }),
      'px',
      60_000,
    );
    await expect(open(other)).rejects.toMatchObject({
      code: 'ERR_STORE_LOCKED',
      message: expect.stringContaining(`process ${dead.pid} on elsewhere`),
    });
  });

  it('instances on one state: each sees the others’ changes (not its own), with ids of its own', async () => {
    const id = freshService();
    const openAs = (instance: string) => open(id, redis, instance);
    const a = await openAs('a');
    const b = await openAs('b');
    // Two instances may not share a name: the lock is per instance.
    await expect(openAs('a')).rejects.toMatchObject({ code: 'ERR_STORE_LOCKED' });
    const seenByA: RemoteChange[] = [];
    const seenByB: RemoteChange[] = [];
    a.onRemoteChange((c) => seenByA.push(c));
    b.onRemoteChange((c) => seenByB.push(c));
    const sub = subscription({ id: 'a.s1', agentId: null, setId: null });
    a.putSubscription(sub);
    await a.durable();
    b.putMessage(message(1, { id: 'b.m1', subscriptionId: 'a.s1' }));
    await b.durable();
    await eventually('A to see B’s message', () => seenByA.length === 1);
    a.finishMessage('b.m1'); // acked on A: B learns which subscription it was on
    a.deleteSubscription('a.s1');
    await a.durable();
    await eventually('B to see A’s three changes', () => seenByB.length === 3);
    expect(seenByB).toEqual([
      { kind: 'subscription', record: sub },
      { kind: 'message-finished', id: 'b.m1', subscriptionId: 'a.s1' },
      { kind: 'subscription-deleted', id: 'a.s1' },
    ]);
    expect(seenByA).toEqual([
      { kind: 'message', record: message(1, { id: 'b.m1', subscriptionId: 'a.s1' }) },
    ]);
    // Each counts its own ids: A reopened continues after a.s1, not after anything of B's.
    await a.close();
    const again = await openAs('a');
    expect(again.state().highestIds).toMatchObject({ subscriptions: 1, messages: 0 });
  });

  it('idle claims: a use on B within the window keeps it; past it one instance claims the delete', async () => {
    const id = freshService();
    const openAs = (instance: string) => open(id, redis, instance);
    const a = await openAs('a');
    const b = await openAs('b');
    const keys = redisKeys(id);
    a.putSubscription(subscription({ id: 'a.s1', agentId: null, setId: null }));
    await a.durable();
    // B uses it: within the window of that use, A's deadline keeps it.
    const now = clock.now();
    b.touch('a.s1');
    b.touch('a.s1'); // the same second: one write
    await b.durable();
    const usedAt = Number(await redis.command('hget', keys.active, 'a.s1'));
    expect(usedAt).toBeGreaterThanOrEqual(now);
    expect(await a.claimIdle('subscription', 'a.s1', 60_000, usedAt + 59_999)).toBe('active');
    expect(await redis.command('hexists', keys.sub, 'a.s1')).toBe(1);
    // Past the window: both ask, exactly one removes the record.
    const answers = await Promise.all([
      a.claimIdle('subscription', 'a.s1', 60_000, usedAt + 60_000),
      b.claimIdle('subscription', 'a.s1', 60_000, usedAt + 60_000),
    ]);
    expect(answers.sort()).toEqual(['claimed', 'gone']);
    expect(await redis.command('hexists', keys.sub, 'a.s1')).toBe(0);
    expect(await redis.command('hexists', keys.active, 'a.s1')).toBe(0);
    // A record never used is claimed at its first deadline.
    a.putSet({ id: 'a.set1', token: 'settok' });
    expect(await a.claimIdle('set', 'a.set1', 60_000, clock.now())).toBe('claimed');
  });

  it('reads a message written before messages kept their sender: it restores as it did then', async () => {
    const id = freshService();
    const { ttlRequestedSeconds, senderId, legacyVapid, body, ...older } = message(1);
    expect([ttlRequestedSeconds, senderId, legacyVapid]).toEqual([90, 'as1', true]);
    const value = encodeMessage(message(1), older as Omit<MessageRecord, 'body'>);
    await redis.command('hset', redisKeys(id).msg, older.id, value as unknown as string);
    const store = await open(id);
    expect([...store.state().messages]).toEqual([
      { ...older, body, ttlRequestedSeconds: 60, senderId: null, legacyVapid: false },
    ]);
  });

  it('keeps the built-in agents’ subscriptions beside the state', async () => {
    const id = freshService();
    const a = await open(id);
    expect(await a.readAgents()).toBeNull();
    await a.writeAgents('{"ua1":[]}');
    await a.close();
    expect(await (await open(id)).readAgents()).toBe('{"ua1":[]}');
  });
});

describe('compareStreamIds', () => {
  it('orders stream ids by time, then by sequence, as numbers', () => {
    expect(compareStreamIds('9-0', '10-0')).toBeLessThan(0);
    expect(compareStreamIds('10-2', '10-10')).toBeLessThan(0);
    expect(compareStreamIds('10-2', '10-2')).toBe(0);
    expect(compareStreamIds('1796654132134-0', '0-0')).toBeGreaterThan(0);
  });
});

describe('storeLocation', () => {
  it('tells a directory from a Redis URL, and names what is wrong with a URL', () => {
    expect(storeLocation('/var/lib/push')).toEqual({ kind: 'directory', dir: '/var/lib/push' });
    expect(storeLocation('redis://10.0.0.5:6380/3')).toEqual({
      kind: 'redis',
      redis: {
        host: '10.0.0.5',
        port: 6380,
        db: 3,
        url: 'redis://10.0.0.5:6380/3',
        changesKeptMax: REDIS_CHANGES_KEPT_MAX,
      },
    });
    expect(storeLocation('redis://h:1?changes-kept=5')).toMatchObject({
      redis: { host: 'h', port: 1, changesKeptMax: 5 },
    });
    expect(storeLocation('redis://[::1]')).toMatchObject({
      redis: { host: '::1', port: 6379, db: 0 },
    });
    for (const [value, why] of [
      ['rediss://h:1', 'rediss:// is not a store'],
      ['http://h:1', 'http:// is not a store'],
      ['redis://h:1/16', 'database "16" is not a number 0–15'],
      ['redis://h:1/x', 'database "x"'],
      ['redis://u:p@h:1', 'credentials'],
      ['redis://h:1?changes-kept=0', 'query "changes-kept=0" is not taken'],
      ['redis://h:1?changes-kept=x', 'query "changes-kept=x"'],
      ['redis://h:1?password=x', 'query "password=x"'],
      ['redis://h:99999', 'not a URL'],
    ] as const) {
      const got = storeLocation(value);
      expect(got).toEqual({ error: expect.stringContaining(why) });
      expect((got as { error: string }).error).toMatch(
        new RegExp(`^${value.replace(/[[\]/.?]/g, '\\$&')}: .*allowed a directory or redis://`),
      );
    }
  });
});
