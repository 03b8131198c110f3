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
 * Several instances on one Redis (`serve --instance NAME`): each has its own lock
 * (`lock:<name>`) and id counters (`ids` fields `<name>:<kind>`; its ids start with its
 * name), and each batch's MULTI also appends its changes to a stream every other instance
 * follows (`pushlab:{<service>}:changes`, bounded), which they apply to their own state
 * (`onRemoteChange`): a subscription made on one is known on all, a message accepted on one
 * is pushed by whichever holds the monitor, an ack on any finishes it everywhere.
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
  type RemoteChange,
  type HighestIds,
  type MessageRecord,
  type PushStore,
  type ReceiptSubscriptionRecord,
  type SetRecord,
  type StoredState,
  type SubscriptionRecord,
} from './store';
import { deferred, RESOLVED, type Deferred } from './deferred';

/** How long opening waits for Redis to answer before refusing the start. */
export const REDIS_CONNECT_TIMEOUT_MS = 5000;
/** A command (a batch's EXEC included) not answered in this long fails the store. */
export const REDIS_COMMAND_TIMEOUT_MS = 10_000;
/** Commands in one MULTI at most; more pending go in the batches after it. */
export const REDIS_BATCH_COMMANDS_MAX = 10_000;
/**
 * Entries the change stream keeps (about: MAXLEN ~). An instance further behind than this
 * misses changes: it does not reload yet (docs/architecture.md, "Where stage 2 stops").
 */
export const REDIS_CHANGES_KEPT_MAX = 100_000;
/** How long one read of the change stream waits for an entry. */
const CHANGES_BLOCK_MS = 1000;
/** Entries taken from the change stream per read. */
const CHANGES_READ_MAX = 1000;

const ID_KINDS = ['sets', 'receiptSubscriptions', 'subscriptions', 'messages'] as const;

type Command = (string | number | Buffer)[];

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
    changes: `${prefix}changes`,
  };
}

/** A message's own fields (the core's message also holds its monitor). */
function messageFields(m: MessageRecord): Omit<MessageRecord, 'body'> {
  return {
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
}

/** A message as one value: its fields as JSON, then its body. */
export function encodeMessage(m: MessageRecord, fields = messageFields(m)): Buffer {
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
  /**
   * This instance's name when several share the state (its ids start with it): turns on
   * the change stream. Without it the store has one writer.
   */
  instance?: string;
}

/** A change as the stream carries it (a message's body in base64). */
type WireChange =
  | { k: 's'; r: SubscriptionRecord }
  | { k: 'sd'; id: string }
  | { k: 'm'; r: Omit<MessageRecord, 'body'> & { body: string } }
  | { k: 'mf'; id: string; sub: string };

function fromWire(w: WireChange): RemoteChange | null {
  switch (w.k) {
    case 's':
      return { kind: 'subscription', record: w.r };
    case 'sd':
      return { kind: 'subscription-deleted', id: w.id };
    case 'm':
      return { kind: 'message', record: { ...w.r, body: Buffer.from(w.r.body, 'base64') } };
    case 'mf':
      return { kind: 'message-finished', id: w.id, subscriptionId: w.sub };
    default:
      return null; // a kind a later version writes
  }
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
  /** The change each pending command makes, for the stream (instances only). */
  private pendingChanges: (WireChange | null)[] = [];
  private readonly instance: string | null;
  /** Live message id → its subscription (instances only: a finish names both). */
  private readonly messageSubscriptions = new Map<string, string>();
  /** The stream entry `state()` is as of; following starts after it. */
  private changesFrom = '0-0';
  private reader: Redis | null = null;
  private readonly remoteListeners: ((change: RemoteChange) => void)[] = [];
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
    instance: string | undefined,
  ) {
    this.keys = redisKeys(serviceId);
    this.instance = instance ?? null;
    if (instance !== undefined) {
      this.keys.lock = `${this.keys.lock}:${instance}`;
      this.keys.agents = `${this.keys.agents}:${instance}`;
    }
  }

  /** The `ids` hash field of a kind (per instance when several share the state). */
  private idField(kind: keyof HighestIds): string {
    return this.instance === null ? kind : `${this.instance}:${kind}`;
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
    const store = new RedisStore(redis, address, options.serviceId, options.instance);
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
    // One MULTI: the state and the change stream's position at one instant.
    const replies = await this.redis
      .multi()
      .hgetall(this.keys.set)
      .hgetall(this.keys.receipt)
      .hgetall(this.keys.sub)
      .hgetallBuffer(this.keys.msg)
      .hgetall(this.keys.attempts)
      .hgetall(this.keys.ids)
      .xrevrange(this.keys.changes, '+', '-', 'COUNT', 1)
      .exec();
    if (replies === null) throw new Error('the read was aborted');
    for (const [error] of replies) if (error) throw error;
    const [sets, receipts, subs, messages, attempts, ids, last] = replies.map(([, r]) => r) as [
      Record<string, string>,
      Record<string, string>,
      Record<string, string>,
      Record<string, Buffer>,
      Record<string, string>,
      Record<string, string>,
      [string, string[]][],
    ];
    this.changesFrom = last[0]?.[0] ?? '0-0';
    for (const kind of ID_KINDS) {
      const n = Number(ids[this.idField(kind)]);
      if (Number.isSafeInteger(n) && n > 0) this.highest[kind] = n;
    }
    const stored: MessageRecord[] = [];
    for (const value of Object.values(messages)) {
      const record = decodeMessage(value);
      if (!record) continue;
      const n = Number(attempts[record.id]);
      if (Number.isSafeInteger(n) && n > record.attempts) record.attempts = n;
      stored.push(record);
      if (this.instance !== null) this.messageSubscriptions.set(record.id, record.subscriptionId);
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
    // Another instance's ids are counted by that instance.
    if (this.instance !== null && !id.startsWith(`${this.instance}.`)) return;
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
    this.enqueue(['hset', this.keys.sub, sub.id, json], { k: 's', r: JSON.parse(json) });
  }

  deleteSubscription(id: string): void {
    this.enqueue(['hdel', this.keys.sub, id], { k: 'sd', id });
  }

  putMessage(message: MessageRecord): void {
    if (this.unusable()) return;
    this.raise('messages', message.id);
    const fields = messageFields(message);
    const value = encodeMessage(message, fields);
    let change: WireChange | null = null;
    if (this.instance !== null) {
      this.messageSubscriptions.set(message.id, message.subscriptionId);
      change = { k: 'm', r: { ...fields, body: message.body.toString('base64') } };
    }
    this.enqueue(['hset', this.keys.msg, message.id, value], change);
  }

  setAttempts(id: string, attempts: number): void {
    this.enqueue(['hset', this.keys.attempts, id, attempts]);
  }

  finishMessage(id: string): void {
    const sub = this.messageSubscriptions.get(id);
    this.messageSubscriptions.delete(id);
    this.enqueue(['hdel', this.keys.msg, id], sub === undefined ? null : { k: 'mf', id, sub });
    this.enqueue(['hdel', this.keys.attempts, id]);
  }

  onRemoteChange(listener: (change: RemoteChange) => void): void {
    this.remoteListeners.push(listener);
    if (this.instance !== null && this.reader === null && !this.unusable()) {
      // A connection of its own: its reads block while the other one writes.
      this.reader = this.redis.duplicate();
      this.reader.on('error', () => {});
      void this.follow();
    }
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
    this.reader?.disconnect();
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

  private enqueue(command: Command, change: WireChange | null = null): void {
    if (this.unusable()) return;
    this.pending.push(command);
    this.pendingChanges.push(this.instance === null ? null : change);
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
      const changes = this.pendingChanges
        .splice(0, REDIS_BATCH_COMMANDS_MAX)
        .filter((c): c is WireChange => c !== null);
      const ids = this.idsCommand();
      if (ids) commands.push(ids);
      if (changes.length > 0) {
        commands.push([
          'xadd',
          this.keys.changes,
          'MAXLEN',
          '~',
          REDIS_CHANGES_KEPT_MAX,
          '*',
          'i',
          this.instance!,
          'c',
          JSON.stringify(changes),
        ]);
      }
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
      command.push(this.idField(kind), this.highest[kind]);
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
    this.pendingChanges = [];
    this.lock?.stop();
    this.reader?.disconnect();
    for (const listener of this.failureListeners) listener(this.failure);
    this.redis.disconnect();
  }

  // ---- following other instances ---------------------------------------------------------

  /** Reads the change stream from where `state()` left it, until the store closes or fails. */
  private async follow(): Promise<void> {
    let from = this.changesFrom;
    try {
      await this.reader!.connect();
    } catch (error) {
      if (!this.unusable()) this.fail(`cannot connect to Redis to follow (${reason(error)})`);
      return;
    }
    while (!this.unusable() && this.reader) {
      let reply: [string, [string, string[]][]][] | null;
      try {
        reply = (await this.reader.xread(
          'COUNT',
          CHANGES_READ_MAX,
          'BLOCK',
          CHANGES_BLOCK_MS,
          'STREAMS',
          this.keys.changes,
          from,
        )) as [string, [string, string[]][]][] | null;
      } catch (error) {
        if (!this.unusable()) this.fail(`the connection to Redis was lost (${reason(error)})`);
        return;
      }
      for (const [id, fields] of reply?.[0]?.[1] ?? []) {
        from = id;
        this.applyEntry(fields);
      }
    }
  }

  private applyEntry(fields: string[]): void {
    const get = (name: string): string | undefined => fields[fields.indexOf(name) + 1];
    if (get('i') === this.instance) return; // our own, already applied
    let wire: WireChange[];
    try {
      wire = JSON.parse(get('c') ?? '[]') as WireChange[];
    } catch {
      return;
    }
    for (const w of wire) {
      const change = fromWire(w);
      if (!change) continue;
      if (change.kind === 'message')
        this.messageSubscriptions.set(change.record.id, change.record.subscriptionId);
      else if (change.kind === 'message-finished') this.messageSubscriptions.delete(change.id);
      for (const listener of this.remoteListeners) listener(change);
    }
  }
}
