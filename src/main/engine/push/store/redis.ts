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
 *   pushlab:{<service>}:held      hash  "<receipt sub id> <message token>" → JSON ReceiptRecord
 *                                       (a receipt waiting for a monitor; s22)
 *   pushlab:{<service>}:agents    string  the built-in user agents' subscriptions (agents.ts)
 *   pushlab:{<service>}:lock      string  the holder (redis-lock.ts)
 *   pushlab:{<service>}:changes   stream  each batch's changes (instances only, below)
 *   pushlab:{<service>}:readers   hash    instance → the last change it read
 *   pushlab:{<service>}:trimmed   string  the highest change id ever trimmed
 *   pushlab:{<service>}:active    hash    id → when it was last used (instances only, ms)
 *
 * Several instances on one Redis (`serve --instance NAME`): each has its own lock
 * (`lock:<name>`) and id counters (`ids` fields `<name>:<kind>`; its ids start with its
 * name), and each batch's MULTI also appends its changes to a stream every other instance
 * follows (`pushlab:{<service>}:changes`, bounded), which they apply to their own state
 * (`onRemoteChange`): a subscription made on one is known on all, a message accepted on one
 * is pushed by whichever holds the monitor, an ack on any finishes it everywhere. Sets and
 * receipt subscriptions are shared the same way; a receipt no monitor on the reporting
 * instance took is announced on the stream for the one holding a monitor. The stream is
 * trimmed to the oldest position of a live instance (and to a hard cap: an instance the cap
 * passed reloads the whole state).
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
export { REDIS_CHANGES_KEPT_MAX } from './redis-limits';
import {
  heldReceiptKey,
  idNumber,
  messageFields,
  readMessageRecord,
  readReceiptRecord,
  StoreError,
  type RemoteChange,
  type HighestIds,
  type IdleKind,
  type MessageRecord,
  type PushStore,
  type ReceiptRecord,
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
/** How often an instance trims the change stream to what every live follower has read. */
const CHANGES_TRIM_EVERY_MS = 1000;
/** How long a lookup that missed waits for the follower to catch up before answering. */
export const REDIS_CATCH_UP_WAIT_MS = 2000;
/** Lookups waiting to catch up at once; more answer at once (as a miss). */
const CATCH_UP_WAITERS_MAX = 1000;
/** An id's last use is written at most this often (its idle window is far longer). */
export const REDIS_ACTIVITY_EVERY_MS = 1000;
/** How long one read of the change stream waits for an entry. */
const CHANGES_BLOCK_MS = 1000;
/** Entries taken from the change stream per read. */
const CHANGES_READ_MAX = 1000;

const ID_KINDS = ['sets', 'receiptSubscriptions', 'subscriptions', 'messages'] as const;

type Command = (string | number | Buffer)[];
/** Replies of a command (or of a group of commands, read in one MULTI); undefined if it failed. */
type OnReply = (replies: unknown[] | undefined) => void;

/** `ms-seq` stream ids in order: negative, zero or positive as `a` is before, at or after `b`. */
export function compareStreamIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am !== bm ? am - bm : as - bs;
}

/**
 * Records where a follower has read to, and answers the highest id ever trimmed from the
 * stream ('0-0' if none; Redis 7.0's own `max-deleted-entry-id` counts XDEL only): a trimmed
 * id after the follower's position is a gap.
 */
const ADVANCE_SCRIPT = `
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return redis.call('GET', KEYS[3]) or '0-0'`;

/**
 * An idle deadline passed on one instance: -1 if the id's last use (KEYS[1] field ARGV[1])
 * is within ARGV[2] ms of ARGV[3]; else deletes its record (KEYS[2]) and answers 1 if that
 * delete removed it (the one instance that reports), 0 if another instance's did.
 */
const IDLE_CLAIM_SCRIPT = `
local at = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '')
if at ~= nil and at + tonumber(ARGV[2]) > tonumber(ARGV[3]) then return -1 end
redis.call('HDEL', KEYS[1], ARGV[1])
return redis.call('HDEL', KEYS[2], ARGV[1])`;

/**
 * The hard cap, run after each XADD: trims the stream to its newest ARGV[1] entries and
 * records the highest id it cut. Answers how many it cut.
 */
const CAP_SCRIPT = `
local over = redis.call('XLEN', KEYS[1]) - tonumber(ARGV[1])
if over <= 0 then return 0 end
local cut = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', over)
redis.call('XTRIM', KEYS[1], 'MAXLEN', ARGV[1])
redis.call('SET', KEYS[2], cut[#cut][1])
return over`;

/**
 * Trims the stream to the oldest position of a live follower (one whose lock is held) and
 * records the highest id it cut; forgets the positions of followers whose lock lapsed.
 * Answers the entries trimmed.
 */
const TRIM_SCRIPT = `
local function before(a, b)
  local am, as = string.match(a, '(%d+)-(%d+)')
  local bm, bs = string.match(b, '(%d+)-(%d+)')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  return am < bm or (am == bm and as < bs)
end
local readers = redis.call('HGETALL', KEYS[2])
local min = nil
for i = 1, #readers, 2 do
  if redis.call('EXISTS', ARGV[1] .. readers[i]) == 1 then
    if min == nil or before(readers[i + 1], min) then min = readers[i + 1] end
  else
    redis.call('HDEL', KEYS[2], readers[i])
  end
end
if min == nil or min == '0-0' then return 0 end
local cut = redis.call('XREVRANGE', KEYS[1], '(' .. min, '-', 'COUNT', 1)
if #cut == 0 then return 0 end
redis.call('SET', KEYS[3], cut[1][1])
return redis.call('XTRIM', KEYS[1], 'MINID', min)`;

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
    /** Receipts waiting for a monitor of their receipt subscription. */
    held: `${prefix}held`,
    agents: `${prefix}agents`,
    lock: `${prefix}lock`,
    changes: `${prefix}changes`,
    /** Each instance's position in the change stream (what it has read). */
    readers: `${prefix}readers`,
    /** The highest change stream id ever trimmed. */
    trimmed: `${prefix}trimmed`,
    /** When each subscription, set or receipt subscription was last used (instances). */
    active: `${prefix}active`,
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
    return readMessageRecord(fields, Buffer.from(value.subarray(4 + jsonBytes)));
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

/** The held receipts of the `held` hash, oldest message first; what is not one is skipped. */
function heldReceipts(hash: Record<string, string> | null): ReceiptRecord[] {
  const out: ReceiptRecord[] = [];
  for (const text of Object.values(hash ?? {})) {
    try {
      const receipt = readReceiptRecord(JSON.parse(text) as Record<string, unknown>);
      if (receipt) out.push(receipt);
    } catch {
      // Not ours (or damaged): skipped, like a record a later version wrote.
    }
  }
  return out.sort((a, b) => idNumber(a.messageId) - idNumber(b.messageId));
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
  | { k: 'mf'; id: string; sub: string }
  | { k: 'st'; r: SetRecord }
  | { k: 'std'; id: string }
  | { k: 'r'; r: ReceiptSubscriptionRecord }
  | { k: 'rd'; id: string }
  | { k: 'rc'; r: ReceiptRecord }
  | { k: 'rv'; rid: string; t: string };

function fromWire(w: WireChange): RemoteChange | null {
  switch (w.k) {
    case 's':
      return { kind: 'subscription', record: w.r };
    case 'sd':
      return { kind: 'subscription-deleted', id: w.id };
    case 'm':
      return { kind: 'message', record: readMessageRecord(w.r, Buffer.from(w.r.body, 'base64')) };
    case 'mf':
      return { kind: 'message-finished', id: w.id, subscriptionId: w.sub };
    case 'st':
      return { kind: 'set', record: w.r };
    case 'std':
      return { kind: 'set-deleted', id: w.id };
    case 'r':
      return { kind: 'receipt-subscription', record: w.r };
    case 'rd':
      return { kind: 'receipt-subscription-deleted', id: w.id };
    case 'rc':
      return { kind: 'receipt', receipt: w.r };
    case 'rv':
      return { kind: 'receipt-delivered', receiptSubscriptionId: w.rid, messageToken: w.t };
    default:
      return null; // a kind a later version writes
  }
}

export interface RedisStoreStats {
  /** Commands queued since open. */
  commands: number;
  /** MULTI…EXEC batches Redis answered. */
  batches: number;
  /** Times this instance found the change stream trimmed past its position and reloaded. */
  reloads: number;
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
  /** Commands to send, one a slot (null: a change for the stream only; a group: reads). */
  private pending: (Command | Command[] | null)[] = [];
  /** The change each pending slot makes, for the stream (instances only). */
  private pendingChanges: (WireChange | null)[] = [];
  /** Who wants each pending slot's reply (mostly nobody). */
  private pendingReplies: (OnReply | null)[] = [];
  private readonly instance: string | null;
  /**
   * Id → when its last use was queued (instances only): what keeps `touch` to one write a
   * second per id. Bounded by the live ids: a delete (here or applied) forgets its entry.
   */
  private readonly touched = new Map<string, number>();
  /** Live message id → its subscription (instances only: a finish names both). */
  private readonly messageSubscriptions = new Map<string, string>();
  /** The stream entry `state()` is as of; following starts after it. */
  private changesFrom = '0-0';
  /** The last stream entry handed over (or skipped as this instance's own). */
  private appliedUpTo = '0-0';
  /** Lookups waiting for the follower to reach a stream id (`catchUp`). */
  private catchUpWaiters: { until: string; done: () => void }[] = [];
  /** The lookups that will share the next read of the stream's end. */
  private nextCatchUp: { promise: Promise<void>; resolve: () => void } | null = null;
  private lastTrimMs = 0;
  private reader: Redis | null = null;
  private readonly remoteListeners: ((change: RemoteChange) => void)[] = [];
  private collecting: Deferred | null = null;
  private inFlight: Deferred | null = null;
  private draining = false;
  private failure: StoreError | null = null;
  private closed = false;
  private readonly failureListeners: ((error: Error) => void)[] = [];
  private lock: RedisLock | null = null;
  readonly stats: RedisStoreStats = { commands: 0, batches: 0, reloads: 0 };
  /** `pushlab:{…}:lock:` — an instance's lock key is this and its name. */
  private readonly lockPrefix: string;

  private constructor(
    private readonly redis: Redis,
    readonly address: RedisAddress,
    serviceId: string,
    instance: string | undefined,
    private readonly clock: Clock,
  ) {
    this.keys = redisKeys(serviceId);
    this.lockPrefix = `${this.keys.lock}:`;
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
    const store = new RedisStore(
      redis,
      address,
      options.serviceId,
      options.instance,
      options.clock,
    );
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

  /** Reads the whole state and the change stream's position at one instant (one MULTI). */
  private stateReads(): Command[] {
    return [
      ['hgetall', this.keys.set],
      ['hgetall', this.keys.receipt],
      ['hgetall', this.keys.sub],
      ['hgetallBuffer', this.keys.msg],
      ['hgetall', this.keys.attempts],
      ['hgetall', this.keys.ids],
      ['xrevrange', this.keys.changes, '+', '-', 'COUNT', 1],
      ['hgetall', this.keys.held],
    ];
  }

  private async load(): Promise<void> {
    const replies = await this.redis.multi(this.stateReads()).exec();
    if (replies === null) throw new Error('the read was aborted');
    for (const [error] of replies) if (error) throw error;
    const { state, position } = this.parseState(replies.map(([, r]) => r));
    this.changesFrom = position;
    this.appliedUpTo = position;
    this.loaded = state;
    Object.assign(this.highest, state.highestIds);
    Object.assign(this.highestWritten, state.highestIds);
  }

  /** The replies of `stateReads` as the state (this instance's highest ids) and position. */
  private parseState(replies: unknown[]): { state: StoredState; position: string } {
    const [sets, receipts, subs, messages, attempts, ids, last, held] = replies as [
      Record<string, string>,
      Record<string, string>,
      Record<string, string>,
      Record<string, Buffer>,
      Record<string, string>,
      Record<string, string>,
      [string, string[]][],
      Record<string, string>,
    ];
    const highest: HighestIds = { sets: 0, receiptSubscriptions: 0, subscriptions: 0, messages: 0 };
    for (const kind of ID_KINDS) {
      const n = Number(ids[this.idField(kind)]);
      if (Number.isSafeInteger(n) && n > 0) highest[kind] = n;
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
    const state = {
      sets: records<SetRecord>(sets),
      receiptSubscriptions: records<ReceiptSubscriptionRecord>(receipts),
      subscriptions: records<SubscriptionRecord>(subs),
      messages: stored,
      highestIds: highest,
      heldReceipts: heldReceipts(held),
    };
    // Live records count too (a store written before the ids hash, or by hand).
    const raise = (kind: keyof HighestIds, list: Iterable<{ id: string }>): void => {
      for (const r of list) {
        if (this.instance !== null && !r.id.startsWith(`${this.instance}.`)) continue;
        highest[kind] = Math.max(highest[kind], idNumber(r.id));
      }
    };
    raise('sets', state.sets);
    raise('receiptSubscriptions', state.receiptSubscriptions);
    raise('subscriptions', state.subscriptions);
    raise('messages', state.messages);
    return { state, position: last[0]?.[0] ?? '0-0' };
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

  /** True with an instance name: several instances write this state. */
  get shared(): boolean {
    return this.instance !== null;
  }

  putSet(set: SetRecord): void {
    this.raise('sets', set.id);
    const r = { id: set.id, token: set.token };
    this.enqueue(['hset', this.keys.set, set.id, JSON.stringify(r)], { k: 'st', r });
  }

  deleteSet(id: string): void {
    this.enqueue(['hdel', this.keys.set, id], { k: 'std', id });
    this.forgetActivity(id);
  }

  putReceiptSubscription(receipt: ReceiptSubscriptionRecord): void {
    this.raise('receiptSubscriptions', receipt.id);
    const r = { id: receipt.id, token: receipt.token };
    this.enqueue(['hset', this.keys.receipt, receipt.id, JSON.stringify(r)], { k: 'r', r });
  }

  deleteReceiptSubscription(id: string): void {
    this.enqueue(['hdel', this.keys.receipt, id], { k: 'rd', id });
    this.forgetActivity(id);
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
    this.forgetActivity(id);
  }

  touch(id: string): void {
    if (this.instance === null) return;
    const now = this.clock.now();
    const last = this.touched.get(id);
    if (last !== undefined && now - last < REDIS_ACTIVITY_EVERY_MS) return;
    this.touched.set(id, now);
    this.enqueue(['hset', this.keys.active, id, now]);
  }

  claimIdle(
    kind: IdleKind,
    id: string,
    idleMs: number,
    nowMs: number,
  ): Promise<'active' | 'claimed' | 'gone'> {
    if (this.instance === null || this.unusable()) return Promise.resolve('gone');
    const hash =
      kind === 'subscription' ? this.keys.sub : kind === 'set' ? this.keys.set : this.keys.receipt;
    return new Promise((resolve) =>
      // In the write queue: after this instance's own touches so far.
      this.enqueue(
        ['eval', IDLE_CLAIM_SCRIPT, 2, this.keys.active, hash, id, idleMs, nowMs],
        null,
        (r) => resolve(r?.[0] === -1 ? 'active' : r?.[0] === 1 ? 'claimed' : 'gone'),
      ),
    );
  }

  /** An id deleted (here, or by another instance): its last use goes with it. */
  private forgetActivity(id: string): void {
    if (this.instance === null) return;
    this.touched.delete(id);
    this.enqueue(['hdel', this.keys.active, id]);
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

  expireMessage(id: string): Promise<boolean> {
    if (this.unusable()) return Promise.resolve(false);
    const sub = this.messageSubscriptions.get(id);
    this.messageSubscriptions.delete(id);
    return new Promise((resolve) => {
      // HDEL answers 1 to the one delete that removed it, wherever the others ran theirs.
      const change: WireChange | null = sub === undefined ? null : { k: 'mf', id, sub };
      this.enqueue(['hdel', this.keys.msg, id], change, (r) => resolve(r?.[0] === 1));
      this.enqueue(['hdel', this.keys.attempts, id]);
    });
  }

  holdReceipt(receipt: ReceiptRecord): void {
    const key = heldReceiptKey(receipt.receiptSubscriptionId, receipt.messageToken);
    this.enqueue(['hset', this.keys.held, key, JSON.stringify(receipt)]);
  }

  releaseReceipt(receiptSubscriptionId: string, messageToken: string): void {
    this.enqueue(['hdel', this.keys.held, heldReceiptKey(receiptSubscriptionId, messageToken)]);
  }

  announceReceipt(receipt: ReceiptRecord): void {
    if (this.instance !== null) this.enqueue(null, { k: 'rc', r: receipt });
  }

  receiptDelivered(receiptSubscriptionId: string, messageToken: string): void {
    if (this.instance !== null)
      this.enqueue(null, { k: 'rv', rid: receiptSubscriptionId, t: messageToken });
  }

  catchUp(): Promise<void> | null {
    if (this.instance === null) return null;
    if (this.unusable() || this.reader === null) return RESOLVED;
    if (this.catchUpWaiters.length >= CATCH_UP_WAITERS_MAX) return RESOLVED;
    if (this.nextCatchUp) return this.nextCatchUp.promise;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    const group = { promise, resolve };
    this.nextCatchUp = group;
    // Every lookup that missed in this turn shares one read of the stream's end, sent after
    // all of them: what was written before any of them asked is before that end.
    queueMicrotask(() => {
      if (this.nextCatchUp === group) this.nextCatchUp = null;
      this.redis.xrevrange(this.keys.changes, '+', '-', 'COUNT', 1).then(
        (last) => this.waitFor(last[0]?.[0] ?? '0-0', resolve),
        () => resolve(),
      );
    });
    return promise;
  }

  /** Calls `done` once the follower has handed over `until`, or after a bound. */
  private waitFor(until: string, done: () => void): void {
    if (compareStreamIds(this.appliedUpTo, until) >= 0 || this.unusable()) return done();
    let timer: { cancel(): void } | null = null;
    const waiter = {
      until,
      done: () => {
        timer?.cancel();
        done();
      },
    };
    timer = this.clock.schedule(REDIS_CATCH_UP_WAIT_MS, () => {
      const at = this.catchUpWaiters.indexOf(waiter);
      if (at >= 0) this.catchUpWaiters.splice(at, 1);
      done();
    });
    this.catchUpWaiters.push(waiter);
  }

  /** The follower handed over everything up to `id`: the lookups waiting for it go on. */
  private applied(id: string): void {
    this.appliedUpTo = id;
    if (this.catchUpWaiters.length === 0) return;
    const still: typeof this.catchUpWaiters = [];
    for (const waiter of this.catchUpWaiters) {
      if (compareStreamIds(id, waiter.until) >= 0) waiter.done();
      else still.push(waiter);
    }
    this.catchUpWaiters = still;
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

  private enqueue(
    command: Command | Command[] | null,
    change: WireChange | null = null,
    onReply: OnReply | null = null,
  ): void {
    if (this.unusable()) return onReply?.(undefined);
    this.pending.push(command);
    this.pendingChanges.push(this.instance === null ? null : change);
    this.pendingReplies.push(onReply);
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
      const slots = this.pending.splice(0, REDIS_BATCH_COMMANDS_MAX);
      const changes = this.pendingChanges
        .splice(0, REDIS_BATCH_COMMANDS_MAX)
        .filter((c): c is WireChange => c !== null);
      const onReplies = this.pendingReplies.splice(0, REDIS_BATCH_COMMANDS_MAX);
      const commands: Command[] = [];
      // Where each wanted reply is in the MULTI: [first command, how many, who wants them].
      const wanted: [number, number, OnReply][] = [];
      for (let i = 0; i < slots.length; i++) {
        const slot = slots[i]!;
        if (slot === null) continue;
        const group = Array.isArray(slot[0]);
        const onReply = onReplies[i];
        if (onReply) wanted.push([commands.length, group ? slot.length : 1, onReply]);
        if (group) for (const c of slot as Command[]) commands.push(c);
        else commands.push(slot as Command);
      }
      const ids = this.idsCommand();
      if (ids) commands.push(ids);
      if (changes.length > 0) {
        commands.push(
          ['xadd', this.keys.changes, '*', 'i', this.instance!, 'c', JSON.stringify(changes)],
          [
            'eval',
            CAP_SCRIPT,
            2,
            this.keys.changes,
            this.keys.trimmed,
            this.address.changesKeptMax,
          ],
        );
      }
      try {
        // A batch of stream-only changes (receipts) still needs its XADD; nothing else: none.
        const replies = commands.length > 0 ? await this.redis.multi(commands).exec() : [];
        if (replies === null) throw new Error('the transaction was aborted');
        for (const [error] of replies) if (error) throw error;
        this.stats.batches += 1;
        batch.resolve();
        for (const [at, count, onReply] of wanted)
          onReply(replies.slice(at, at + count).map(([, r]) => r));
      } catch (error) {
        for (const [, , onReply] of wanted) onReply(undefined);
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
    const waiting = this.pendingReplies;
    this.pending = [];
    this.pendingChanges = [];
    this.pendingReplies = [];
    for (const onReply of waiting) onReply?.(undefined);
    for (const waiter of this.catchUpWaiters.splice(0)) waiter.done();
    this.lock?.stop();
    this.reader?.disconnect();
    for (const listener of this.failureListeners) listener(this.failure);
    this.redis.disconnect();
  }

  // ---- following other instances ---------------------------------------------------------

  /** Reads the change stream from where `state()` left it, until the store closes or fails. */
  private async follow(): Promise<void> {
    let from = this.changesFrom;
    const reader = this.reader!;
    try {
      await reader.connect();
      // From now on the stream is not trimmed past this position while this instance lives.
      await this.advance(from);
    } catch (error) {
      if (!this.unusable()) this.fail(`cannot connect to Redis to follow (${reason(error)})`);
      return;
    }
    while (!this.unusable() && this.reader) {
      let entries: [string, string[]][];
      try {
        const reply = (await reader.xread(
          'COUNT',
          CHANGES_READ_MAX,
          'BLOCK',
          CHANGES_BLOCK_MS,
          'STREAMS',
          this.keys.changes,
          from,
        )) as [string, [string, string[]][]][] | null;
        entries = reply?.[0]?.[1] ?? [];
        if (entries.length > 0) {
          const trimmed = await this.advance(entries[entries.length - 1]![0]);
          // An entry after `from` was trimmed before this instance read it: a gap.
          if (compareStreamIds(trimmed, from) > 0) {
            from = await this.reload();
            entries = [];
          }
        }
        const now = this.clock.now();
        if (now - this.lastTrimMs >= CHANGES_TRIM_EVERY_MS) {
          this.lastTrimMs = now;
          await reader.eval(
            TRIM_SCRIPT,
            3,
            this.keys.changes,
            this.keys.readers,
            this.keys.trimmed,
            this.lockPrefix,
          );
        }
      } catch (error) {
        if (!this.unusable()) this.fail(`the connection to Redis was lost (${reason(error)})`);
        return;
      }
      if (this.unusable()) return;
      for (const [id, fields] of entries) {
        from = id;
        this.applyEntry(fields);
      }
      this.applied(from);
    }
  }

  /** Records this instance's position; answers the highest id ever trimmed from the stream. */
  private async advance(position: string): Promise<string> {
    const trimmed = await this.reader!.eval(
      ADVANCE_SCRIPT,
      3,
      this.keys.changes,
      this.keys.readers,
      this.keys.trimmed,
      this.instance!,
      position,
    );
    return String(trimmed);
  }

  /**
   * The stream lost entries this instance had not read: it reads the whole state again, in
   * the write queue (so after every write of its own so far), and hands it over as one
   * `reload` change. Answers the stream position that state is as of.
   */
  private async reload(): Promise<string> {
    const replies = await new Promise<unknown[] | undefined>((resolve) =>
      this.enqueue(this.stateReads(), null, resolve),
    );
    if (replies === undefined) throw new Error('the state could not be read again');
    const { state, position } = this.parseState(replies);
    this.stats.reloads += 1;
    // Messages finished while this instance was not reading are not named again.
    const live = new Set([...state.messages].map((m) => m.id));
    for (const id of this.messageSubscriptions.keys()) {
      const newer = id.startsWith(`${this.instance}.`) && idNumber(id) > state.highestIds.messages;
      if (!live.has(id) && !newer) this.messageSubscriptions.delete(id);
    }
    await this.advance(position);
    const change: RemoteChange = { kind: 'reload', state, keptMax: this.address.changesKeptMax };
    for (const listener of this.remoteListeners) listener(change);
    return position;
  }

  private applyEntry(fields: string[]): void {
    // Field names are at even places: a value may equal a name (an instance named "c").
    const get = (name: string): string | undefined => {
      for (let i = 0; i < fields.length - 1; i += 2) if (fields[i] === name) return fields[i + 1];
      return undefined;
    };
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
      else if (
        change.kind === 'subscription-deleted' ||
        change.kind === 'set-deleted' ||
        change.kind === 'receipt-subscription-deleted'
      )
        this.touched.delete(change.id); // its instance removed its last use from Redis
      for (const listener of this.remoteListeners) listener(change);
    }
  }
}
