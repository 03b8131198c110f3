/**
 * Sender key pairs and their ECDH secrets, made ahead on a worker thread. RFC 8291 wants a
 * fresh key pair per message, so an application server pays two P-256 operations (generate,
 * derive) per send — about two thirds of a message's crypto and a tenth of a fleet day's main
 * thread. Both depend only on the subscription's public key, known long before the send: a
 * worker makes a few per subscription in advance, the send takes one (used once, then gone) and
 * does only HKDF and AES-GCM on its own thread.
 *
 * Nothing observable depends on whether a secret was ready: the pair is random either way (as
 * the salt is), the body's length is the same, and a send with none ready makes its own, as
 * before. Small runs never start the worker (`startAfter`); it is unref'd, so it never keeps a
 * process alive, and `close()` ends it.
 *
 * Bounds: at most `keysMax` keys (a key beyond is served inline), `readyMax` secrets ready or
 * asked for over all of them, one request per key at a time.
 */
import { isMainThread, Worker } from 'node:worker_threads';
import {
  CryptoError,
  deriveWebPushKeys,
  ECE_SALT_OCTETS,
  encrypt,
  P256_PUBLIC_KEY_OCTETS,
  WEBPUSH_PLAINTEXT_MAX_OCTETS,
  WEBPUSH_RS_DEFAULT,
} from '../crypto';
import { randomBytes } from 'node:crypto';

/** One sender key pair's public point and its secret with one subscription's key. */
export interface SenderSecret {
  readonly publicKey: Buffer;
  readonly ecdhSecret: Buffer;
}

export interface SenderSecretsOptions {
  /** Secrets a key's first request asks for (default 4); each next one twice as many, to 16×. */
  depth?: number;
  /** Subscription keys with secrets kept ready, at most (default 4,096). */
  keysMax?: number;
  /** Secrets ready or asked for, over all keys, at most (default 16,384: ~4 MB). */
  readyMax?: number;
  /** Requests posted together (default 16); after 4 × as many sends, those waiting go anyway. */
  batch?: number;
  /** Sends served inline before the worker starts (default 256): a small run never starts it. */
  startAfter?: number;
  /**
   * Whether a worker may start at all. Default: only on the main thread — a run that is itself
   * on a worker (engine/parallel's pool: one run per core) has every core busy already.
   */
  enabled?: boolean;
}

const SECRET_OCTETS = 32;
const PAIR_OCTETS = P256_PUBLIC_KEY_OCTETS + SECRET_OCTETS;

/**
 * The worker: plain JavaScript on node:crypto alone, evaluated from this string so it needs no
 * loader and no file beside the bundle. A post carries a batch of requests (a key and a count
 * each); the answer, one post too, packs each request's pairs (65-octet public point, 32-octet
 * secret) into one buffer, fewer if the key is bad.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createECDH } = require('node:crypto');
parentPort.on('message', (requests) => {
  const answers = [];
  for (const { id, uaPublic, count } of requests) {
    const pairs = Buffer.alloc(count * ${PAIR_OCTETS});
    let made = 0;
    try {
      for (; made < count; made++) {
        const ecdh = createECDH('prime256v1');
        ecdh.generateKeys();
        ecdh.getPublicKey().copy(pairs, made * ${PAIR_OCTETS});
        ecdh.computeSecret(uaPublic).copy(pairs, made * ${PAIR_OCTETS} + ${P256_PUBLIC_KEY_OCTETS});
      }
    } catch {
      // an off-curve key: the sender's own encryption will say so
    }
    answers.push({ id, made, pairs });
  }
  parentPort.postMessage(answers);
});
`;

interface Request {
  id: number;
  uaPublic: Uint8Array;
  count: number;
}

interface Answer {
  id: number;
  made: number;
  pairs: Uint8Array;
}

/** One subscription key's secrets: those ready, and how many its next request asks for. */
interface KeyState {
  ready: SenderSecret[];
  nextCount: number;
  asking: boolean;
}

export class SenderSecrets {
  /** Sends that took a secret made ahead. */
  served = 0;
  /** Sends that made their own (none ready, worker not started, or past a bound). */
  inline = 0;
  /** Posts to the worker (each a batch of requests). */
  posts = 0;
  private readonly depth: number;
  private readonly keysMax: number;
  private readonly readyMax: number;
  private readonly batch: number;
  private readonly startAfter: number;
  private worker: Worker | null = null;
  /** Not enabled, the worker failed, or the owner closed: every send makes its own. */
  private off = false;
  /** By subscription key (the key's own buffer: one object per subscription). */
  private readonly keys = new Map<Uint8Array, KeyState>();
  /** The key of each request made (posted or waiting), by request id. */
  private readonly asked = new Map<number, KeyState>();
  /** Requests not posted yet: posted together once `batch` wait or `4 × batch` sends went by. */
  private waiting: Request[] = [];
  private takesSincePost = 0;
  /** Secrets ready or asked for, over every key (the bound on what this holds). */
  private held = 0;
  private nextId = 0;

  constructor(options: SenderSecretsOptions = {}) {
    this.depth = options.depth ?? 4;
    this.keysMax = options.keysMax ?? 4096;
    this.readyMax = options.readyMax ?? 16_384;
    this.batch = options.batch ?? 16;
    this.startAfter = options.startAfter ?? 256;
    this.off = !(options.enabled ?? isMainThread);
  }

  /** Whether the worker is running (tests, the bench). */
  get running(): boolean {
    return this.worker !== null;
  }

  /** A secret for `uaPublic` made ahead, or null (then the caller makes its own); asks for more. */
  take(uaPublic: Uint8Array): SenderSecret | null {
    if (this.off) return null;
    let state = this.keys.get(uaPublic);
    const secret = state?.ready.shift() ?? null;
    if (secret) {
      this.served += 1;
      this.held -= 1;
    } else this.inline += 1;
    if (!this.worker) {
      if (this.inline < this.startAfter) return secret;
      this.start();
    }
    if (!state && this.keys.size < this.keysMax) {
      state = { ready: [], nextCount: this.depth, asking: false };
      this.keys.set(uaPublic, state);
    }
    // A key that ran dry asks again, for twice as many as last time (a busy subscription
    // soon asks in large batches), within what the whole holds.
    if (state && !state.asking && state.ready.length === 0) {
      const count = Math.min(state.nextCount, this.readyMax - this.held);
      if (count > 0) {
        const id = this.nextId++;
        state.asking = true;
        state.nextCount = Math.min(state.nextCount * 2, this.depth * 16);
        this.held += count;
        this.asked.set(id, state);
        // A copy of the 65 octets, handed over: posting the key itself would clone the
        // whole buffer it is a view of (a pooled slab, or a frame's).
        this.waiting.push({ id, uaPublic: new Uint8Array(uaPublic), count });
      }
    }
    // Each post wakes the worker, and on a busy machine the waking costs the sender far more
    // than the copy (measured: ~0.3 ms a post, up to a few ms with the cores busy): requests
    // go in batches, and one waiting alone goes after four batches' worth of sends.
    this.takesSincePost += 1;
    if (
      this.waiting.length >= this.batch ||
      (this.waiting.length > 0 && this.takesSincePost >= this.batch * 4)
    )
      this.post();
    return secret;
  }

  /** Ends the worker; secrets made ahead are dropped. Idempotent. */
  async close(): Promise<void> {
    this.off = true;
    this.keys.clear();
    this.asked.clear();
    this.waiting = [];
    this.held = 0;
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private start(): void {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    worker.on('message', (answers: Answer[]) => {
      for (const answer of answers) this.answered(answer);
    });
    // A crashed worker costs speed, not messages: senders go back to making their own.
    const stop = (): void => {
      if (this.worker !== worker) return;
      void this.close();
    };
    worker.on('error', stop);
    worker.on('exit', stop);
    this.worker = worker;
  }

  private post(): void {
    const requests = this.waiting;
    this.waiting = [];
    this.takesSincePost = 0;
    this.posts += 1;
    this.worker!.postMessage(
      requests,
      requests.map((r) => r.uaPublic.buffer as ArrayBuffer),
    );
  }

  private answered({ id, made, pairs }: Answer): void {
    const state = this.asked.get(id);
    if (!state) return; // closed meanwhile
    this.asked.delete(id);
    state.asking = false;
    // Asked for `nextCount / 2` (or fewer, near the bound): what was not made is not held.
    const bytes = Buffer.from(pairs.buffer, pairs.byteOffset, pairs.byteLength);
    this.held -= bytes.length / PAIR_OCTETS - made;
    for (let i = 0; i < made; i++) {
      const at = i * PAIR_OCTETS;
      state.ready.push({
        publicKey: bytes.subarray(at, at + P256_PUBLIC_KEY_OCTETS),
        ecdhSecret: bytes.subarray(at + P256_PUBLIC_KEY_OCTETS, at + PAIR_OCTETS),
      });
    }
  }
}

/**
 * RFC 8291 with a sender pair made ahead: what `encryptForSubscription` does after its ECDH
 * (one record, rs 4096, no padding, a fresh salt), with the same size limit and its error.
 */
export function encryptWithSecret(
  plaintext: Buffer,
  keys: { publicKey: Uint8Array; authSecret: Uint8Array },
  sender: SenderSecret,
): Buffer {
  if (plaintext.length > WEBPUSH_PLAINTEXT_MAX_OCTETS)
    throw new CryptoError(
      'ERR_WEBPUSH_TOO_LARGE',
      `plaintext + padding is ${plaintext.length} octets, at most ${WEBPUSH_PLAINTEXT_MAX_OCTETS} fit a 4096-octet body`,
    );
  const { ikm } = deriveWebPushKeys({
    ecdhSecret: sender.ecdhSecret,
    authSecret: keys.authSecret,
    uaPublic: keys.publicKey,
    asPublic: sender.publicKey,
  });
  return encrypt(plaintext, {
    ikm,
    salt: randomBytes(ECE_SALT_OCTETS),
    rs: WEBPUSH_RS_DEFAULT,
    keyid: sender.publicKey,
  });
}
