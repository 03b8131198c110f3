/**
 * What the push core remembers of recent messages after they finish: the archive the
 * inspector reads (body and kept headers of the last ARCHIVED_MESSAGES_MAX) and the ids behind
 * the last RECENT_TOKENS_MAX message tokens. Both are rings preallocated at their bound, one
 * column per field, written in place; the token ring has a key table (key → slot) as well.
 * Kept in BoundedMaps of objects, every accepted message added two entry objects and two
 * value objects that lived just long enough to be promoted and then died in the old
 * generation (issue 13: most of the accept path's GC); here a message adds strings and
 * numbers to arrays that already exist.
 */

/**
 * The last `countMax` distinct keys, each holding a slot in [0, countMax) for its owner's
 * columns. A key added again keeps its slot (and its place in the eviction order); a new key
 * takes the slot of the oldest, which is forgotten.
 */
export class RecentKeys<K> {
  private readonly slots = new Map<K, number>();
  private readonly keys: (K | undefined)[];
  private next = 0;
  /** Keys forgotten to stay within the bound. */
  forgottenCount = 0;

  constructor(readonly countMax: number) {
    if (!Number.isInteger(countMax) || countMax < 1)
      throw new Error(`countMax: got ${countMax}; allowed an integer of at least 1`);
    this.keys = new Array<K | undefined>(countMax).fill(undefined);
  }

  get size(): number {
    return this.slots.size;
  }

  /** The key's slot, or -1 when it is not (or no longer) held. */
  slotOf(key: K): number {
    return this.slots.get(key) ?? -1;
  }

  /** The key's slot: its own if held, else the oldest key's, which is forgotten. */
  claim(key: K): number {
    const held = this.slots.get(key);
    if (held !== undefined) return held;
    const slot = this.next;
    this.next = slot + 1 === this.countMax ? 0 : slot + 1;
    const old = this.keys[slot];
    if (old !== undefined) {
      this.slots.delete(old);
      this.forgottenCount += 1;
    }
    this.keys[slot] = key;
    this.slots.set(key, slot);
    return slot;
  }
}

/** A message as the inspector sees it after the service accepted it. */
export interface ArchivedMessage {
  subscriptionId: string;
  /** As the application server sent it: RFC 8291 ciphertext for an encrypted push. */
  body: Buffer;
  contentHeaders: Readonly<Record<string, string>>;
  ttlRequestedSeconds: number;
}

/**
 * Recent messages by id, bounded: the oldest forgotten first. A ring with no key table: the
 * core puts every accepted message (a fresh id), the inspector reads one when asked. A Map
 * of the last ids cost each send a lookup, a deletion and an insertion of a young string
 * into an old table, the largest of the send path's own costs in a CPU profile (issue 13);
 * `get` walks at most `countMax` ids instead, newest first, for a person's click.
 */
export class MessageArchive {
  private readonly ids: string[];
  private readonly subscriptionIds: string[];
  private readonly bodies: Buffer[];
  private readonly contentHeaders: Readonly<Record<string, string>>[];
  private readonly ttlRequestedSeconds: Float64Array;
  /** The slot the next put takes (the oldest's); `count` slots are filled. */
  private next = 0;
  private count = 0;

  constructor(readonly countMax: number) {
    if (!Number.isInteger(countMax) || countMax < 1)
      throw new Error(`countMax: got ${countMax}; allowed an integer of at least 1`);
    this.ids = new Array<string>(countMax).fill('');
    this.subscriptionIds = new Array<string>(countMax).fill('');
    this.bodies = new Array<Buffer>(countMax).fill(EMPTY);
    this.contentHeaders = new Array<Readonly<Record<string, string>>>(countMax).fill(NO_HEADERS);
    this.ttlRequestedSeconds = new Float64Array(countMax);
  }

  get size(): number {
    return this.count;
  }

  set(messageId: string, message: ArchivedMessage): void {
    this.put(
      messageId,
      message.subscriptionId,
      message.body,
      message.contentHeaders,
      message.ttlRequestedSeconds,
    );
  }

  /**
   * `set` without the object (the send path). Message ids are unique; were one put twice,
   * `get` answers with the later put, and the earlier one's slot is forgotten in its turn.
   */
  put(
    messageId: string,
    subscriptionId: string,
    body: Buffer,
    contentHeaders: Readonly<Record<string, string>>,
    ttlRequestedSeconds: number,
  ): void {
    const slot = this.next;
    this.next = slot + 1 === this.countMax ? 0 : slot + 1;
    if (this.count < this.countMax) this.count += 1;
    this.ids[slot] = messageId;
    this.subscriptionIds[slot] = subscriptionId;
    this.bodies[slot] = body;
    this.contentHeaders[slot] = contentHeaders;
    this.ttlRequestedSeconds[slot] = ttlRequestedSeconds;
  }

  get(messageId: string): ArchivedMessage | undefined {
    for (let k = 1; k <= this.count; k++) {
      const slot = (this.next - k + this.countMax) % this.countMax;
      if (this.ids[slot] !== messageId) continue;
      return {
        subscriptionId: this.subscriptionIds[slot]!,
        body: this.bodies[slot]!,
        contentHeaders: this.contentHeaders[slot]!,
        ttlRequestedSeconds: this.ttlRequestedSeconds[slot]!,
      };
    }
    return undefined;
  }
}

/** The ids behind recent message tokens, bounded: the oldest forgotten first. */
export class RecentTokens {
  private readonly tokens: RecentKeys<string>;
  private readonly messageIds: string[];
  private readonly subscriptionIds: string[];

  constructor(readonly countMax: number) {
    this.tokens = new RecentKeys(countMax);
    this.messageIds = new Array<string>(countMax).fill('');
    this.subscriptionIds = new Array<string>(countMax).fill('');
  }

  get size(): number {
    return this.tokens.size;
  }

  set(token: string, messageId: string, subscriptionId: string): void {
    const slot = this.tokens.claim(token);
    this.messageIds[slot] = messageId;
    this.subscriptionIds[slot] = subscriptionId;
  }

  get(token: string): { messageId: string; subscriptionId: string } | null {
    const slot = this.tokens.slotOf(token);
    if (slot < 0) return null;
    return { messageId: this.messageIds[slot]!, subscriptionId: this.subscriptionIds[slot]! };
  }
}

const EMPTY = Buffer.alloc(0);
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
