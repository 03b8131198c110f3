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
 * Bounds: `depth` secrets ready per subscription key, at most `keysMax` keys (a key beyond is
 * served inline), one request in flight per key.
 */
import { Worker } from 'node:worker_threads';
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
  /** Secrets kept ready per subscription key (default 2). */
  depth?: number;
  /** Subscription keys with secrets kept ready, at most (default 10,000). */
  keysMax?: number;
  /** Sends served inline before the worker starts (default 256): a small run never starts it. */
  startAfter?: number;
}

const SECRET_OCTETS = 32;
const PAIR_OCTETS = P256_PUBLIC_KEY_OCTETS + SECRET_OCTETS;

/**
 * The worker: plain JavaScript on node:crypto alone, evaluated from this string so it needs no
 * loader and no file beside the bundle. A request names a key and a count; the answer packs
 * the pairs (65-octet public point, 32-octet secret) into one buffer, fewer if the key is bad.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createECDH } = require('node:crypto');
parentPort.on('message', ({ id, uaPublic, count }) => {
  const out = Buffer.alloc(count * ${PAIR_OCTETS});
  let made = 0;
  try {
    for (; made < count; made++) {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      ecdh.getPublicKey().copy(out, made * ${PAIR_OCTETS});
      ecdh.computeSecret(uaPublic).copy(out, made * ${PAIR_OCTETS} + ${P256_PUBLIC_KEY_OCTETS});
    }
  } catch {
    // an off-curve key: the sender's own encryption will say so
  }
  parentPort.postMessage({ id, made, pairs: out });
});
`;

interface Answer {
  id: number;
  made: number;
  pairs: Uint8Array;
}

export class SenderSecrets {
  /** Sends that took a secret made ahead. */
  served = 0;
  /** Sends that made their own (none ready, worker not started, or past a bound). */
  inline = 0;
  private readonly depth: number;
  private readonly keysMax: number;
  private readonly startAfter: number;
  private worker: Worker | null = null;
  /** The worker failed or the owner closed: every send makes its own from now on. */
  private off = false;
  /** Ready secrets by subscription key (the key's own buffer: one object per subscription). */
  private readonly ready = new Map<Uint8Array, SenderSecret[]>();
  /** The key of each request in flight, by request id (one per key at most). */
  private readonly asked = new Map<number, Uint8Array>();
  private readonly asking = new Set<Uint8Array>();
  private nextId = 0;

  constructor(options: SenderSecretsOptions = {}) {
    this.depth = options.depth ?? 2;
    this.keysMax = options.keysMax ?? 10_000;
    this.startAfter = options.startAfter ?? 256;
  }

  /** Whether the worker is running (tests, the bench). */
  get running(): boolean {
    return this.worker !== null;
  }

  /** A secret for `uaPublic` made ahead, or null (then the caller makes its own); asks for more. */
  take(uaPublic: Uint8Array): SenderSecret | null {
    if (this.off) return null;
    const queue = this.ready.get(uaPublic);
    const secret = queue?.shift() ?? null;
    if (secret) this.served += 1;
    else this.inline += 1;
    if (!this.worker && this.inline >= this.startAfter) this.start();
    if (this.worker && !this.asking.has(uaPublic) && (queue?.length ?? 0) < this.depth)
      this.ask(uaPublic, queue);
    return secret;
  }

  /** Ends the worker; secrets made ahead are dropped. Idempotent. */
  async close(): Promise<void> {
    this.off = true;
    this.ready.clear();
    this.asked.clear();
    this.asking.clear();
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private start(): void {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    worker.on('message', (answer: Answer) => this.answered(answer));
    // A crashed worker costs speed, not messages: senders go back to making their own.
    const stop = (): void => {
      if (this.worker !== worker) return;
      void this.close();
    };
    worker.on('error', stop);
    worker.on('exit', stop);
    this.worker = worker;
  }

  private ask(uaPublic: Uint8Array, queue: SenderSecret[] | undefined): void {
    if (!queue) {
      if (this.ready.size >= this.keysMax) return;
      this.ready.set(uaPublic, []);
    }
    const id = this.nextId++;
    this.asked.set(id, uaPublic);
    this.asking.add(uaPublic);
    this.worker!.postMessage({ id, uaPublic, count: this.depth - (queue?.length ?? 0) });
  }

  private answered({ id, made, pairs }: Answer): void {
    const key = this.asked.get(id);
    if (!key) return; // closed meanwhile
    this.asked.delete(id);
    this.asking.delete(key);
    const queue = this.ready.get(key);
    if (!queue) return;
    const bytes = Buffer.from(pairs.buffer, pairs.byteOffset, pairs.byteLength);
    for (let i = 0; i < made; i++) {
      const at = i * PAIR_OCTETS;
      queue.push({
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
