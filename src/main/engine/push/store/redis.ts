/**
 * The push service's durable state in Redis (`serve --store redis://HOST:PORT[/DB]`, issue 15):
 * the same PushStore the write-ahead log implements, so the core does not know which it has.
 *
 *   pushlab:{<service>}:set       hash  set id          → JSON {id, token}
 *   pushlab:{<service>}:receipt   hash  receipt sub id  → JSON {id, token}
 *   pushlab:{<service>}:sub       hash  subscription id → JSON SubscriptionRecord
 *   pushlab:{<service>}:msg       hash  message id      → [u32 JSON length][JSON fields][body]
 *   pushlab:{<service>}:attempts  hash  message id      → delivery attempts so far
 *   pushlab:{<service>}:ids       hash  kind            → highest id number ever issued
 *   pushlab:{<service>}:agents    string  the built-in user agents' subscriptions (agents.ts)
 *   pushlab:{<service>}:lock      string  the holder (redis-lock.ts)
 *
 * The braces are a Redis Cluster hash tag: every key of a service is in one slot, so one
 * MULTI can hold them all. Writes are gathered like the log's group commit: every call made
 * while the previous batch is in flight goes out as the next MULTI…EXEC, and `durable()`
 * resolves when Redis answered that EXEC. How durable that answer is, is Redis's setting:
 * with `appendonly yes` and `appendfsync always` it is on Redis's disk; with the default
 * `everysec` a crash of Redis itself (not of serve) may lose the last second.
 *
 * The connection is never retried: a lost connection or a refused write fails the store
 * with one sentence, as a failed disk fails the log, and the service answers 503 from then
 * on. What was acknowledged before is in Redis; a restart takes it back.
 */
import type { Redis } from 'ioredis';
import type { Clock } from '../../clock/clock';
import type { RedisAddress } from './location';
import { RedisLock } from './redis-lock';
import {
  idNumber,
  StoreError,
  type HighestIds,
  type MessageRecord,
  type PushStore,
  type ReceiptSubscriptionRecord,
  type SetRecord,
  type StoredState,
  type SubscriptionRecord,
} from './store';

/** How long opening waits for Redis to answer before refusing the start. */
export const REDIS_CONNECT_TIMEOUT_MS = 5000;
/** A command (a batch's EXEC included) not answered in this long fails the store. */
export const REDIS_COMMAND_TIMEOUT_MS = 10_000;
/** Commands in one MULTI at most; more pending go in the batches after it. */
export const REDIS_BATCH_COMMANDS_MAX = 10_000;

const ID_KINDS = ['sets', 'receiptSubscriptions', 'subscriptions', 'messages'] as const;

type Command = (string | number | Buffer)[];

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A batch nobody waits for (attempt counts, expiries) must not become an unhandled rejection.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

const RESOLVED = Promise.resolve();

/** The keys of one service's state. */
export function redisKeys(serviceId: string) {
  const prefix = `pushlab:{${serviceId}}:`;
  return {
    set: `${prefix}set`,
    receipt: `${prefix}receipt`,
    sub: `${prefix}sub`,
    msg: `${prefix}msg`,
    attempts: `${prefix}attempts`,
    ids: `${prefix}ids`,
    agents: `${prefix}agents`,
    lock: `${prefix}lock`,
  };
}

/** A message as one value: its fields as JSON, then its body. */
export function encodeMessage(m: MessageRecord): Buffer {
  const fields: Omit<MessageRecord, 'body'> = {
    id: m.id,
    token: m.token,
    subscriptionId: m.subscriptionId,
    contentHeaders: m.contentHeaders,
    ttlSeconds: m.ttlSeconds,
    acceptedAtMs: m.acceptedAtMs,
    expiresAtMs: m.expiresAtMs,
    urgency: m.urgency,
    topic: m.topic,
    receiptSubscriptionId: m.receiptSubscriptionId,
    attempts: m.attempts,
  };
  const text = JSON.stringify(fields);
  const jsonBytes = Buffer.byteLength(text);
  const value = Buffer.allocUnsafe(4 + jsonBytes + m.body.length);
  value.writeUInt32LE(jsonBytes, 0);
  value.write(text, 4, 'utf8');
  m.body.copy(value, 4 + jsonBytes);
  return value;
}

/** The inverse of encodeMessage; null for a value that is not one. */
export function decodeMessage(value: Buffer): MessageRecord | null {
  if (value.length < 4) return null;
  const jsonBytes = value.readUInt32LE(0);
  if (4 + jsonBytes > value.length) return null;
  try {
    const fields = JSON.parse(value.toString('utf8', 4, 4 + jsonBytes)) as MessageRecord;
    if (typeof fields.id !== 'string' || typeof fields.subscriptionId !== 'string') return null;
    return { ...fields, body: Buffer.from(value.subarray(4 + jsonBytes)) };
  } catch {
    return null;
  }
}

const reason = (error: unknown): string => {
  // An EXEC aborted because a queued command was refused: name that command's error.
  const previous = (error as { previousErrors?: unknown[] } | undefined)?.previousErrors?.[0];
  if (previous !== undefined) return reason(previous);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : String(error);
};

/** The records of one hash, parsed, oldest id first (ids only grow: that is write order). */
function records<R extends { id: string }>(hash: Record<string, string>): R[] {
  const out: R[] = [];
  for (const text of Object.values(hash)) {
    try {
      const record = JSON.parse(text) as R;
      if (typeof record?.id === 'string') out.push(record);
    } catch {
      // Not ours (or damaged): skipped, like a record a later version wrote.
    }
  }
  return out.sort((a, b) => idNumber(a.id) - idNumber(b.id));
}

export interface RedisStoreOptions {
  /** The service whose state this is (`pushlab:{<serviceId>}:…`). */
  serviceId: string;
  /**
   * Times the lock's renewal (the engine's timers come from its clock): one that follows the
   * wall clock, as the lock's expiry in Redis does. Virtual-clock runs never get a store.
   */
  clock: Clock;
}

export interface RedisStoreStats {
  /** Commands queued since open. */
  commands: number;
  /** MULTI…EXEC batches Redis answered. */
  batches: number;
}

export class RedisStore implements PushStore {
  private readonly keys: ReturnType<typeof redisKeys>;
  private loaded: StoredState | null = null;
  private readonly highest: HighestIds = {
    sets: 0,
    receiptSubscriptions: 0,
    subscriptions: 0,
    messages: 0,
  };
  /** The highest ids as Redis last stored them (a batch writes them only when they rose). */
  private readonly highestWritten: HighestIds = { ...this.highest };
  private pending: Command[] = [];
  private collecting: Deferred | null = null;
  private inFlight: Deferred | null = null;
  private draining = false;
  private failure: StoreError | null = null;
  private closed = false;
  private readonly failureListeners: ((error: Error) => void)[] = [];
  private lock: RedisLock | null = null;
  readonly stats: RedisStoreStats = { commands: 0, batches: 0 };

  private constructor(
    private readonly redis: Redis,
    readonly address: RedisAddress,
    serviceId: string,
  ) {
    this.keys = redisKeys(serviceId);
  }

  /**
   * Connects, takes the service's lock (one serve per service), and reads its state.
   * Throws a StoreError with one sentence naming the URL otherwise.
   */
  static async open(address: RedisAddress, options: RedisStoreOptions): Promise<RedisStore> {
    if (options.clock.kind === 'virtual') {
      throw new Error(
        'clock: a Redis store needs a clock that follows the wall clock (its lock expires in real time)',
      );
    }
    // Loaded on first use: a serve without Redis never pays for the client.
    const { Redis } = await import('ioredis');
    let lastError: unknown = null;
    const redis = new Redis({
      host: address.host,
      port: address.port,
      db: address.db,
      lazyConnect: true,
      connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
      // Never retried, never queued while away: a lost connection fails the store at once.
      retryStrategy: () => null,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    redis.on('error', (error: unknown) => (lastError = error));
    try {
      await redis.connect();
    } catch (error) {
      redis.disconnect();
      throw new StoreError(
        `store ${address.url}: cannot connect to Redis (${reason(lastError ?? error)})`,
        'ERR_STORE_IO',
      );
    }
    const store = new RedisStore(redis, address, options.serviceId);
    try {
      store.lock = await RedisLock.acquire(
        redis,
        store.keys.lock,
        address.url,
        options.clock,
        (why) => store.fail(why),
      );
      await store.load();
    } catch (error) {
      await store.lock?.release().catch(() => {});
      redis.disconnect();
      if (error instanceof StoreError) throw error;
      throw new StoreError(
        `store ${address.url}: cannot be read (${reason(error)})`,
        'ERR_STORE_IO',
      );
    }
    redis.on('close', () => {
      if (!store.closed)
        store.fail(`the connection to Redis was lost (${reason(lastError ?? 'closed')})`);
    });
    return store;
  }

  private async load(): Promise<void> {
    const [sets, receipts, subs, messages, attempts, ids] = await Promise.all([
      this.redis.hgetall(this.keys.set),
      this.redis.hgetall(this.keys.receipt),
      this.redis.hgetall(this.keys.sub),
      this.redis.hgetallBuffer(this.keys.msg),
      this.redis.hgetall(this.keys.attempts),
      this.redis.hgetall(this.keys.ids),
    ]);
    for (const kind of ID_KINDS) {
      const n = Number(ids[kind]);
      if (Number.isSafeInteger(n) && n > 0) this.highest[kind] = n;
    }
    const stored: MessageRecord[] = [];
    for (const value of Object.values(messages)) {
      const record = decodeMessage(value);
      if (!record) continue;
      const n = Number(attempts[record.id]);
      if (Number.isSafeInteger(n) && n > record.attempts) record.attempts = n;
      stored.push(record);
    }
    stored.sort((a, b) => idNumber(a.id) - idNumber(b.id));
    this.loaded = {
      sets: records<SetRecord>(sets),
      receiptSubscriptions: records<ReceiptSubscriptionRecord>(receipts),
      subscriptions: records<SubscriptionRecord>(subs),
      messages: stored,
      highestIds: { ...this.highest },
    };
    // Live records count too (a store written before the ids hash, or by hand).
    const raise = (kind: keyof HighestIds, list: Iterable<{ id: string }>): void => {
      for (const r of list) this.raise(kind, r.id);
    };
    raise('sets', this.loaded.sets);
    raise('receiptSubscriptions', this.loaded.receiptSubscriptions);
    raise('subscriptions', this.loaded.subscriptions);
    raise('messages', this.loaded.messages);
    this.loaded = { ...this.loaded, highestIds: { ...this.highest } };
    Object.assign(this.highestWritten, this.highest);
  }

  private raise(kind: keyof HighestIds, id: string): void {
    const n = idNumber(id);
    if (n > this.highest[kind]) this.highest[kind] = n;
  }

  // ---- PushStore -------------------------------------------------------------------------

  /**
   * The state read at open. Handed over once: the store keeps no copy after (the core owns
   * the live state), so bodies of messages finished since do not stay in memory here.
   */
  state(): StoredState {
    const state = this.loaded ?? {
      sets: [],
      receiptSubscriptions: [],
      subscriptions: [],
      messages: [],
      highestIds: { ...this.highest },
    };
    this.loaded = null;
    return state;
  }

  putSet(set: SetRecord): void {
    this.raise('sets', set.id);
    this.enqueue(['hset', this.keys.set, set.id, JSON.stringify({ id: set.id, token: set.token })]);
  }

  deleteSet(id: string): void {
    this.enqueue(['hdel', this.keys.set, id]);
  }

  putReceiptSubscription(receipt: ReceiptSubscriptionRecord): void {
    this.raise('receiptSubscriptions', receipt.id);
    const json = JSON.stringify({ id: receipt.id, token: receipt.token });
    this.enqueue(['hset', this.keys.receipt, receipt.id, json]);
  }

  deleteReceiptSubscription(id: string): void {
    this.enqueue(['hdel', this.keys.receipt, id]);
  }

  putSubscription(sub: SubscriptionRecord): void {
    this.raise('subscriptions', sub.id);
    const json = JSON.stringify({
      id: sub.id,
      token: sub.token,
      pushToken: sub.pushToken,
      agentId: sub.agentId,
      createdAtMs: sub.createdAtMs,
      vapidKey: sub.vapidKey,
      setId: sub.setId,
    });
    this.enqueue(['hset', this.keys.sub, sub.id, json]);
  }

  deleteSubscription(id: string): void {
    this.enqueue(['hdel', this.keys.sub, id]);
  }

  putMessage(message: MessageRecord): void {
    if (this.unusable()) return;
    this.raise('messages', message.id);
    this.enqueue(['hset', this.keys.msg, message.id, encodeMessage(message)]);
  }

  setAttempts(id: string, attempts: number): void {
    this.enqueue(['hset', this.keys.attempts, id, attempts]);
  }

  finishMessage(id: string): void {
    this.enqueue(['hdel', this.keys.msg, id]);
    this.enqueue(['hdel', this.keys.attempts, id]);
  }

  durable(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) {
      return Promise.reject(
        new StoreError(
          `store ${this.address.url} is closed; nothing more is stored`,
          'ERR_STORE_IO',
        ),
      );
    }
    if (this.pending.length > 0) return (this.collecting ??= deferred()).promise;
    return this.inFlight?.promise ?? RESOLVED;
  }

  onFailure(listener: (error: Error) => void): void {
    this.failureListeners.push(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.durable().catch(() => {});
    this.closed = true;
    if (!this.failure) {
      await this.lock?.release().catch(() => {});
      await this.redis.quit().catch(() => {});
    } else {
      this.lock?.stop();
    }
    this.redis.disconnect();
  }

  // ---- the built-in user agents' subscriptions (agents.ts) -------------------------------

  readAgents(): Promise<string | null> {
    return this.redis.get(this.keys.agents);
  }

  async writeAgents(text: string): Promise<void> {
    await this.redis.set(this.keys.agents, text);
  }

  // ---- writing ---------------------------------------------------------------------------

  private unusable(): boolean {
    return this.closed || this.failure !== null;
  }

  private enqueue(command: Command): void {
    if (this.unusable()) return;
    this.pending.push(command);
    this.stats.commands += 1;
    if (!this.draining) {
      this.draining = true;
      // Everything queued in this turn of the event loop goes in one batch.
      queueMicrotask(() => void this.drain());
    }
  }

  /** Sends batches until nothing is pending: one MULTI…EXEC each, answered before the next. */
  private async drain(): Promise<void> {
    while (this.pending.length > 0 && !this.failure) {
      // The waiters of `collecting` wait for everything pending: only the last batch ends it.
      const last = this.pending.length <= REDIS_BATCH_COMMANDS_MAX;
      const batch = last ? (this.collecting ?? deferred()) : deferred();
      if (last) this.collecting = null;
      this.inFlight = batch;
      const commands = this.pending.splice(0, REDIS_BATCH_COMMANDS_MAX);
      const ids = this.idsCommand();
      if (ids) commands.push(ids);
      try {
        const replies = await this.redis.multi(commands).exec();
        if (replies === null) throw new Error('the transaction was aborted');
        for (const [error] of replies) if (error) throw error;
        this.stats.batches += 1;
        batch.resolve();
      } catch (error) {
        // A write that could not be sent because the connection just dropped says so.
        const lost = this.redis.status !== 'ready';
        this.fail(
          lost
            ? `the connection to Redis was lost (${reason(error)})`
            : `Redis refused a write (${reason(error)})`,
          batch,
        );
      }
      this.inFlight = null;
    }
    this.draining = false;
  }

  /** HSET of the highest ids that rose since the last batch, or null. */
  private idsCommand(): Command | null {
    const command: Command = ['hset', this.keys.ids];
    for (const kind of ID_KINDS) {
      if (this.highest[kind] === this.highestWritten[kind]) continue;
      command.push(kind, this.highest[kind]);
      this.highestWritten[kind] = this.highest[kind];
    }
    return command.length > 2 ? command : null;
  }

  private fail(why: string, batch?: Deferred): void {
    if (this.failure || this.closed) return;
    this.failure = new StoreError(
      `store ${this.address.url}: ${why}; nothing since its last durable write is kept, and it takes no more writes`,
      'ERR_STORE_IO',
    );
    batch?.reject(this.failure);
    this.inFlight?.reject(this.failure);
    this.collecting?.reject(this.failure);
    this.collecting = null;
    this.pending = [];
    this.lock?.stop();
    for (const listener of this.failureListeners) listener(this.failure);
    this.redis.disconnect();
  }
}
