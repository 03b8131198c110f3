/**
 * The embedded durable store: a write-ahead log of our own in one directory.
 *
 *   <dir>/LOCK       the holder's pid (lock.ts)
 *   <dir>/push.wal   "PUSHLAB-WAL 1\n", then records: [u32 length][u32 CRC-32][payload],
 *                    payload = [u8 type][u32 JSON length][JSON][message body, if any]
 *
 * Why our own log rather than lmdb or classic-level: it needs no native module (so it runs
 * unchanged in Node 20 and in Electron's Node), its group commit is exactly the one the
 * push service needs (one write + one fdatasync per batch of records gathered while the
 * previous batch was being written), and it measured within the accept-rate goal
 * (bench/RESULTS.md).
 *
 * Opening replays the log into a mirror of the live state (which `state()` hands to the
 * core), stopping at the first record whose length or CRC does not check out — the torn
 * tail a kill -9 leaves — and truncating the file there. The log grows with every record;
 * when it is more than COMPACTION_RATIO times the live state (and past
 * COMPACTION_LOG_BYTES_MIN), the next batch writes a snapshot of the live state to a new
 * file instead, syncs it, renames it over the log and syncs the directory.
 */
import { mkdir, open, readFile, rename, stat, truncate, unlink } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from './crc32';
import { acquireLock, type StoreLock } from './lock';
import {
  heldReceiptKey,
  idNumber,
  messageFields,
  readMessageRecord,
  readReceiptRecord,
  StoreError,
  type HighestIds,
  type MessageRecord,
  type PushStore,
  type ReceiptRecord,
  type ReceiptSubscriptionRecord,
  type SetRecord,
  type StoredState,
  type SubscriptionRecord,
} from './store';
import { deferred, RESOLVED, type Deferred } from './deferred';

export const WAL_FILE = 'push.wal';
const MAGIC = Buffer.from('PUSHLAB-WAL 1\n', 'latin1');
const FRAME_HEADER_BYTES = 8;
/** Type byte + JSON length. */
const PAYLOAD_HEADER_BYTES = 5;

/** A record longer than this is damage, not data (bodies are a few KB). */
export const RECORD_BYTES_MAX = 16 * 1024 * 1024;
/** Compact when the log is more than this many times the live state… */
export const COMPACTION_RATIO = 4;
/** …and larger than this (small logs are not worth rewriting). */
export const COMPACTION_LOG_BYTES_MIN = 4 * 1024 * 1024;
/** A snapshot is written in chunks of about this size. */
const SNAPSHOT_CHUNK_BYTES = 1024 * 1024;

const enum T {
  /** Written on every open: proves the directory and the disk take a write. */
  Opened = 0,
  Set = 1,
  SetDeleted = 2,
  Receipt = 3,
  ReceiptDeleted = 4,
  Subscription = 5,
  SubscriptionDeleted = 6,
  Message = 7,
  Attempts = 8,
  Finished = 9,
  /** The highest ids issued (written first in a snapshot, which drops finished records). */
  HighestIds = 10,
  /** A receipt waiting for a monitor of its receipt subscription (s22; older logs have none). */
  ReceiptHeld = 11,
  ReceiptReleased = 12,
}

/** The file operations the log uses; tests inject failing or counting ones. */
export interface LogFile {
  /** Writes the pieces one after another (one writev). */
  append(pieces: Buffer[]): Promise<void>;
  /** fdatasync. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface WalIo {
  /** 'a': append to (or create) the log; 'w': create or empty a file for a snapshot. */
  open(file: string, flags: 'a' | 'w'): Promise<LogFile>;
}

export const nodeIo: WalIo = {
  async open(file, flags) {
    const handle = await open(file, flags, 0o600);
    return {
      async append(pieces) {
        // libuv's writev writes every piece (in IOV_MAX steps, retrying short writes).
        const { bytesWritten } = await handle.writev(pieces);
        const total = pieces.reduce((sum, piece) => sum + piece.length, 0);
        if (bytesWritten !== total) {
          throw Object.assign(new Error(`wrote ${bytesWritten} of ${total} bytes`), {
            code: 'ESHORTWRITE',
          });
        }
      },
      sync: () => handle.datasync(),
      close: () => handle.close(),
    };
  },
};

export interface WalOptions {
  io?: WalIo;
  /** Overrides COMPACTION_LOG_BYTES_MIN (tests compact small logs). */
  compactionLogBytesMin?: number;
}

export interface WalStats {
  /** Records appended since open. */
  records: number;
  /** Batches written (each one write, or one snapshot). */
  batches: number;
  /** fdatasync calls on the log since open. */
  syncs: number;
  compactions: number;
  /** Bytes of the log file now. */
  logBytes: number;
  /** Bytes the live state takes as records (what a snapshot would write, less the header). */
  liveBytes: number;
  /** Bytes of a torn or damaged tail cut off when the store was opened. */
  discardedBytes: number;
}

interface Live<R> {
  record: R;
  bytes: number;
}

const EMPTY = Buffer.alloc(0);

/** One record as frame pieces (a header buffer, then the body when there is one). */
function encode(type: T, json: object, body?: Buffer): Buffer[] {
  const text = JSON.stringify(json);
  const jsonBytes = Buffer.byteLength(text);
  const bodyBytes = body?.length ?? 0;
  const head = Buffer.allocUnsafe(FRAME_HEADER_BYTES + PAYLOAD_HEADER_BYTES + jsonBytes);
  head.writeUInt32LE(PAYLOAD_HEADER_BYTES + jsonBytes + bodyBytes, 0);
  head.writeUInt8(type, 8);
  head.writeUInt32LE(jsonBytes, 9);
  head.write(text, 13, 'utf8');
  let crc = crc32(head.subarray(FRAME_HEADER_BYTES));
  if (body && bodyBytes > 0) crc = crc32(body, crc);
  head.writeUInt32LE(crc, 4);
  return body && bodyBytes > 0 ? [head, body] : [head];
}

const frameBytes = (frame: Buffer[]): number =>
  frame.length === 1 ? frame[0]!.length : frame[0]!.length + frame[1]!.length;

/** A message record: its fields as JSON, its body after them. */
function encodeMessage(m: MessageRecord): Buffer[] {
  const { body, ...fields } = m;
  return encode(T.Message, fields, body);
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some platforms cannot fsync a directory (Windows: EPERM/EISDIR); the rename stands.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'EISDIR' && code !== 'EINVAL') throw error;
  } finally {
    await handle.close();
  }
}

/** Parent directories created for a store at most (a bound on the walk up). */
const STORE_DIRECTORY_DEPTH_MAX = 64;

/**
 * mkdir -p, by hand: node's `mkdir(…, { recursive: true })` never returns where mkdir
 * answers ENOENT under a parent that exists (a path under /proc), so a bad --store would
 * hang the start instead of being refused.
 */
async function makeDirectory(dir: string, depth: number): Promise<void> {
  try {
    await mkdir(dir, { mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if ((await stat(dir)).isDirectory()) return;
      throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' });
    }
    const parent = path.dirname(dir);
    if (code !== 'ENOENT' || parent === dir || depth >= STORE_DIRECTORY_DEPTH_MAX) throw error;
    await makeDirectory(parent, depth + 1);
    await mkdir(dir, { mode: 0o700 });
  }
}

const errorCode = (error: unknown): string =>
  (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));

export class WalStore implements PushStore {
  private readonly sets = new Map<string, Live<SetRecord>>();
  private readonly receipts = new Map<string, Live<ReceiptSubscriptionRecord>>();
  private readonly subscriptions = new Map<string, Live<SubscriptionRecord>>();
  private readonly messages = new Map<string, Live<MessageRecord>>();
  /** Held receipts by `heldReceiptKey`, in the order they were held. */
  private readonly held = new Map<string, Live<ReceiptRecord & { id: string }>>();
  private readonly highest: HighestIds = {
    sets: 0,
    receiptSubscriptions: 0,
    subscriptions: 0,
    messages: 0,
  };
  private liveBytes = 0;
  private logBytes = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The batch the pending records will be written in (made when someone waits for it). */
  private collecting: Deferred | null = null;
  private inFlight: Deferred | null = null;
  private draining = false;
  private failure: StoreError | null = null;
  private closed = false;
  private readonly failureListeners: ((error: Error) => void)[] = [];
  private file: LogFile | null = null;
  readonly stats: WalStats = {
    records: 0,
    batches: 0,
    syncs: 0,
    compactions: 0,
    logBytes: 0,
    liveBytes: 0,
    discardedBytes: 0,
  };
  private readonly io: WalIo;
  private readonly compactionLogBytesMin: number;
  private readonly logPath: string;

  private constructor(
    readonly dir: string,
    private readonly lock: StoreLock,
    options: WalOptions,
  ) {
    this.io = options.io ?? nodeIo;
    this.compactionLogBytesMin = options.compactionLogBytesMin ?? COMPACTION_LOG_BYTES_MIN;
    this.logPath = path.join(dir, WAL_FILE);
  }

  /**
   * Opens (creating if need be) the store in `dir`: takes its lock, replays its log, cuts a
   * torn tail, and proves it can write. Throws a StoreError with one sentence otherwise.
   */
  static async open(dir: string, options: WalOptions = {}): Promise<WalStore> {
    try {
      await makeDirectory(dir, 0);
    } catch (error) {
      throw new StoreError(
        `store ${dir}: cannot create the directory (${errorCode(error)})`,
        'ERR_STORE_IO',
      );
    }
    const lock = await acquireLock(dir);
    const store = new WalStore(dir, lock, options);
    try {
      await store.load();
    } catch (error) {
      await store.file?.close().catch(() => {});
      await lock.release();
      if (error instanceof StoreError) throw error;
      throw new StoreError(`store ${dir}: cannot be written (${errorCode(error)})`, 'ERR_STORE_IO');
    }
    return store;
  }

  private async load(): Promise<void> {
    let data: Buffer | null = null;
    try {
      data = await readFile(this.logPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    // A log cut inside its own header (killed while creating it) holds nothing: start anew.
    const fresh =
      data === null || (data.length < MAGIC.length && MAGIC.subarray(0, data.length).equals(data));
    if (!fresh && !data!.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new StoreError(
        `store ${this.dir}: ${this.logPath} is not a Push Lab store log (its first bytes are not "${MAGIC.toString('latin1').trim()}")`,
        'ERR_STORE_FORMAT',
      );
    }
    if (fresh) {
      const file = await this.io.open(this.logPath, 'w');
      this.file = file;
      await file.append([MAGIC]);
      this.logBytes = MAGIC.length;
      await syncDirectory(this.dir);
    } else {
      const end = this.replay(data!);
      this.stats.discardedBytes = data!.length - end;
      if (end < data!.length) await truncate(this.logPath, end);
      this.logBytes = end;
      this.file = await this.io.open(this.logPath, 'a');
    }
    // The probe record: a disk that is full or read-only refuses the store now, not later.
    this.enqueue(T.Opened, encode(T.Opened, { pid: process.pid }));
    await this.durable();
  }

  /** Applies every whole record of `data`; returns where the whole records end. */
  private replay(data: Buffer): number {
    let offset = MAGIC.length;
    while (offset + FRAME_HEADER_BYTES <= data.length) {
      const length = data.readUInt32LE(offset);
      const end = offset + FRAME_HEADER_BYTES + length;
      if (length < PAYLOAD_HEADER_BYTES || length > RECORD_BYTES_MAX || end > data.length) break;
      const payload = data.subarray(offset + FRAME_HEADER_BYTES, end);
      if (crc32(payload) !== data.readUInt32LE(offset + 4)) break;
      const jsonBytes = payload.readUInt32LE(1);
      if (PAYLOAD_HEADER_BYTES + jsonBytes > payload.length) break;
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(
          payload.toString('utf8', PAYLOAD_HEADER_BYTES, PAYLOAD_HEADER_BYTES + jsonBytes),
        ) as Record<string, unknown>;
      } catch {
        break;
      }
      // Copied, so the whole file's buffer is not kept alive by one body.
      const body = Buffer.from(payload.subarray(PAYLOAD_HEADER_BYTES + jsonBytes));
      this.apply(payload.readUInt8(0) as T, json, body, FRAME_HEADER_BYTES + length);
      offset = end;
    }
    return offset;
  }

  /** Folds one record into the live state (replay and live writes alike). */
  private apply(type: T, json: Record<string, unknown>, body: Buffer, bytes: number): void {
    const id = json['id'] as string;
    switch (type) {
      case T.Set:
        this.raise('sets', id);
        return this.put(this.sets, json as unknown as SetRecord, bytes);
      case T.SetDeleted:
        return this.drop(this.sets, id);
      case T.Receipt:
        this.raise('receiptSubscriptions', id);
        return this.put(this.receipts, json as unknown as ReceiptSubscriptionRecord, bytes);
      case T.ReceiptDeleted:
        // Its held receipts go with it (at most PENDING_RECEIPTS_MAX each).
        for (const [key, live] of this.held)
          if (live.record.receiptSubscriptionId === id) this.drop(this.held, key);
        return this.drop(this.receipts, id);
      case T.Subscription:
        this.raise('subscriptions', id);
        return this.put(this.subscriptions, json as unknown as SubscriptionRecord, bytes);
      case T.SubscriptionDeleted:
        return this.drop(this.subscriptions, id);
      case T.Message:
        this.raise('messages', id);
        return this.put(
          this.messages,
          readMessageRecord(json as unknown as Omit<MessageRecord, 'body'>, body),
          bytes,
        );
      case T.Attempts: {
        const live = this.messages.get(id);
        if (live) live.record.attempts = json['attempts'] as number;
        return;
      }
      case T.Finished:
        return this.drop(this.messages, id);
      case T.ReceiptHeld: {
        const receipt = readReceiptRecord(json);
        if (receipt) this.put(this.held, { id, ...receipt }, bytes);
        return;
      }
      case T.ReceiptReleased:
        return this.drop(this.held, id);
      case T.HighestIds:
        for (const kind of Object.keys(this.highest) as (keyof HighestIds)[]) {
          const n = json[kind];
          if (typeof n === 'number' && n > this.highest[kind]) this.highest[kind] = n;
        }
        return;
      default:
        return; // T.Opened, and types of a later version this one does not know
    }
  }

  private raise(kind: keyof HighestIds, id: string): void {
    const n = idNumber(id);
    if (n > this.highest[kind]) this.highest[kind] = n;
  }

  private put<R extends { id: string }>(map: Map<string, Live<R>>, record: R, bytes: number): void {
    const previous = map.get(record.id);
    this.liveBytes += bytes - (previous?.bytes ?? 0);
    map.set(record.id, { record, bytes });
  }

  private drop<R>(map: Map<string, Live<R>>, id: string): void {
    const previous = map.get(id);
    if (!previous) return;
    this.liveBytes -= previous.bytes;
    map.delete(id);
  }

  // ---- PushStore -------------------------------------------------------------------------

  state(): StoredState {
    const records = <R>(map: Map<string, Live<R>>): R[] => [...map.values()].map((l) => l.record);
    return {
      sets: records(this.sets),
      receiptSubscriptions: records(this.receipts),
      subscriptions: records(this.subscriptions),
      messages: records(this.messages),
      highestIds: { ...this.highest },
      heldReceipts: records(this.held).map(({ id: _key, ...receipt }) => receipt),
    };
  }

  putSet(set: SetRecord): void {
    this.write(T.Set, { id: set.id, token: set.token });
  }

  deleteSet(id: string): void {
    this.write(T.SetDeleted, { id });
  }

  putReceiptSubscription(receipt: ReceiptSubscriptionRecord): void {
    this.write(T.Receipt, { id: receipt.id, token: receipt.token });
  }

  deleteReceiptSubscription(id: string): void {
    this.write(T.ReceiptDeleted, { id });
  }

  putSubscription(sub: SubscriptionRecord): void {
    this.write(T.Subscription, {
      id: sub.id,
      token: sub.token,
      pushToken: sub.pushToken,
      agentId: sub.agentId,
      createdAtMs: sub.createdAtMs,
      vapidKey: sub.vapidKey,
      setId: sub.setId,
    });
  }

  deleteSubscription(id: string): void {
    this.write(T.SubscriptionDeleted, { id });
  }

  putMessage(message: MessageRecord): void {
    if (this.unusable()) return;
    // Only the record's own fields: the core's message also holds its monitor.
    const fields = messageFields(message);
    // Encoded from the fields alone (no copy of the record without its body on this path).
    const frame = encode(T.Message, fields, message.body);
    this.raise('messages', message.id);
    // The body joins the same object once its JSON is written (no second copy per message).
    const record = Object.assign(fields, { body: message.body });
    this.put(this.messages, record, frameBytes(frame));
    this.enqueue(T.Message, frame);
  }

  setAttempts(id: string, attempts: number): void {
    this.write(T.Attempts, { id, attempts });
  }

  finishMessage(id: string): void {
    this.write(T.Finished, { id });
  }

  holdReceipt(receipt: ReceiptRecord): void {
    const key = heldReceiptKey(receipt.receiptSubscriptionId, receipt.messageToken);
    this.write(T.ReceiptHeld, { id: key, ...receipt });
  }

  releaseReceipt(receiptSubscriptionId: string, messageToken: string): void {
    const key = heldReceiptKey(receiptSubscriptionId, messageToken);
    if (this.held.has(key)) this.write(T.ReceiptReleased, { id: key });
  }

  durable(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) {
      return Promise.reject(
        new StoreError(`store ${this.dir} is closed; nothing more is stored`, 'ERR_STORE_IO'),
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
    await this.file?.close().catch(() => {});
    this.file = null;
    await this.lock.release();
  }

  /** Counters, with the sizes as they are now. */
  snapshotStats(): WalStats {
    return { ...this.stats, logBytes: this.logBytes, liveBytes: this.liveBytes };
  }

  // ---- writing ---------------------------------------------------------------------------

  private unusable(): boolean {
    return this.closed || this.failure !== null;
  }

  private write(type: T, json: { id: string; [field: string]: unknown }): void {
    if (this.unusable()) return;
    const frame = encode(type, json);
    this.apply(type, json, EMPTY, frameBytes(frame));
    this.enqueue(type, frame);
  }

  private enqueue(_type: T, frame: Buffer[]): void {
    for (const piece of frame) {
      this.pending.push(piece);
      this.pendingBytes += piece.length;
    }
    this.stats.records += 1;
    if (!this.draining) {
      this.draining = true;
      // Everything appended in this turn of the event loop goes in one batch.
      queueMicrotask(() => void this.drain());
    }
  }

  /** Writes batches until nothing is pending: one write + one fdatasync each. */
  private async drain(): Promise<void> {
    while (this.pending.length > 0 && !this.failure) {
      const batch = this.collecting ?? deferred();
      this.collecting = null;
      this.inFlight = batch;
      const pieces = this.pending;
      const bytes = this.pendingBytes;
      this.pending = [];
      this.pendingBytes = 0;
      try {
        // The live state already holds this batch's records, so a snapshot covers them.
        if (this.shouldCompact(bytes)) await this.compact();
        else {
          await this.file!.append(pieces);
          this.logBytes += bytes;
          await this.file!.sync();
          this.stats.syncs += 1;
        }
        this.stats.batches += 1;
        batch.resolve();
      } catch (error) {
        this.fail(error, batch);
      }
      this.inFlight = null;
    }
    this.draining = false;
  }

  private shouldCompact(batchBytes: number): boolean {
    const logBytes = this.logBytes + batchBytes;
    return (
      logBytes > this.compactionLogBytesMin &&
      logBytes > COMPACTION_RATIO * (this.liveBytes + MAGIC.length)
    );
  }

  /** Rewrites the log as a snapshot of the live state: new file, sync, rename, sync dir. */
  private async compact(): Promise<void> {
    const chunks: Buffer[] = [];
    let chunk: Buffer[] = [MAGIC];
    let chunkBytes = MAGIC.length;
    let total = 0;
    const add = (frame: Buffer[]): void => {
      for (const piece of frame) {
        chunk.push(piece);
        chunkBytes += piece.length;
      }
      if (chunkBytes >= SNAPSHOT_CHUNK_BYTES) {
        chunks.push(Buffer.concat(chunk, chunkBytes));
        total += chunkBytes;
        chunk = [];
        chunkBytes = 0;
      }
    };
    // Encoded now, in one turn, so the snapshot is the live state at one instant.
    add(encode(T.HighestIds, this.highest));
    for (const { record } of this.sets.values()) add(encode(T.Set, record));
    for (const { record } of this.receipts.values()) add(encode(T.Receipt, record));
    for (const { record } of this.subscriptions.values()) add(encode(T.Subscription, record));
    for (const { record } of this.messages.values()) add(encodeMessage(record));
    for (const { record } of this.held.values()) add(encode(T.ReceiptHeld, record));
    chunks.push(Buffer.concat(chunk, chunkBytes));
    total += chunkBytes;

    const next = `${this.logPath}.compact`;
    const file = await this.io.open(next, 'w');
    try {
      await file.append(chunks);
      await file.sync();
      this.stats.syncs += 1;
      await rename(next, this.logPath);
      await syncDirectory(this.dir);
    } catch (error) {
      await file.close().catch(() => {});
      await unlink(next).catch(() => {});
      throw error;
    }
    const old = this.file!;
    this.file = file;
    this.logBytes = total;
    this.stats.compactions += 1;
    await old.close().catch(() => {});
  }

  private fail(error: unknown, batch: Deferred): void {
    this.failure = new StoreError(
      `store ${this.dir}: writing ${WAL_FILE} failed (${errorCode(error)}); nothing since its last durable write is kept, and it takes no more writes`,
      'ERR_STORE_IO',
    );
    batch.reject(this.failure);
    this.collecting?.reject(this.failure);
    this.collecting = null;
    this.pending = [];
    this.pendingBytes = 0;
    for (const listener of this.failureListeners) listener(this.failure);
  }
}
