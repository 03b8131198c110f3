/**
 * Decryption off the event loop for serve's built-in user agents: a few worker threads, each
 * given the bodies that arrived while it worked on its previous batch (no timer: a busy
 * worker gathers a larger batch, an idle one gets each body at once). The user agent keeps
 * each subscription's messages in arrival order whatever finishes first (agents/user-agent.ts).
 *
 * Bounded: at most `pendingMax` bodies held or in a worker; past it `decrypt` answers null
 * and the agent decrypts in-process (counted as `full`, told to `onFull` once an episode),
 * so a burst slows the event loop instead of growing a queue. A worker that dies hands its bodies back to be decrypted
 * in-process (counted as `crashed`); a refusal comes back as the same CryptoError, code and
 * sentence, as in-process. Only where the clock is the wall's: a virtual world decrypts
 * in-process, in order, so its recordings stay byte-identical.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CryptoError, type CryptoErrorCode } from '../crypto/errors';
import { decryptFromPush, type PayloadDecryptor, type UaDecryptKeys } from '../crypto/webpush';
import type { DecryptAnswers, DecryptBatch, DecryptJob, DecryptReady } from './decrypt-protocol';

/** Workers a pool may run. */
export const DECRYPT_WORKERS_MAX = 4;
/**
 * Bodies held or in a worker at once, by default: ~40 ms of one worker's work. Past it the
 * event loop decrypts the excess itself, which slows its intake; with a larger bound a lagging
 * worker let the service's per-subscription queue (1000 unacknowledged) fill, and senders got
 * 4xx in bench:serve.
 */
export const DECRYPT_PENDING_DEFAULT = 256;
/** A worker's heap bound (MB): it holds a batch and a few keys. */
const WORKER_HEAP_MB = 64;

interface Pending {
  /** What moves to the worker (detached once sent). */
  job: DecryptJob;
  /** The caller's own body and keys, for decrypting in-process if the worker cannot. */
  body: Buffer;
  keys: UaDecryptKeys;
  resolve(plaintext: Buffer): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  /** The batch the worker has now, in the order it answers. */
  working: Pending[] | null;
  /** Bodies gathered for its next batch. */
  next: Pending[];
  /** Loaded and taking batches (a worker loads the engine's crypto through tsx first). */
  ready: boolean;
  alive: boolean;
}

export interface DecryptPoolCounts {
  /** Bodies decrypted in a worker (whatever the verdict). */
  offloaded: number;
  /** Bodies refused because `pendingMax` were pending (decrypted in-process by the caller). */
  full: number;
  /** Bodies a dead worker handed back (decrypted in-process by the pool). */
  crashed: number;
}

/**
 * A job's body and keys copied into one buffer of its own, which moves to the worker whole:
 * a Buffer is often a view of a shared 8 KiB slab, and cloning a view clones its whole slab.
 */
function packJob(id: number, body: Uint8Array, keys: UaDecryptKeys): DecryptJob {
  const { uaPrivate, uaPublic, authSecret } = keys;
  const parts = [body, uaPrivate, uaPublic, authSecret];
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  const views = parts.map((part, i) => {
    const start = parts.slice(0, i).reduce((sum, p) => sum + p.length, 0);
    bytes.set(part, start);
    return bytes.subarray(start, start + part.length);
  });
  return { id, body: views[0]!, uaPrivate: views[1]!, uaPublic: views[2]!, authSecret: views[3]! };
}

/** Workers for a machine: one core is the event loop's, the rest decrypt (at most 4). */
export function decryptWorkersFor(cores = availableParallelism()): number {
  return Math.max(0, Math.min(DECRYPT_WORKERS_MAX, cores - 1));
}

/**
 * Where the worker script is: beside this module when it runs from source (tsx); the Electron
 * bundle has no such entry, and there the pool is not made (null: in-process).
 */
export function decryptWorkerUrl(moduleUrl: string = import.meta.url): URL | null {
  return /\.ts(\?|#|$)/.test(moduleUrl) ? new URL('decrypt-worker.mjs', moduleUrl) : null;
}

export class DecryptPool implements PayloadDecryptor {
  readonly counts: DecryptPoolCounts = { offloaded: 0, full: 0, crashed: 0 };
  /**
   * Told `pendingMax` when the pool starts refusing bodies (its bound reached), once until it
   * has room again: hitting the bound is an event (serve emits `limit.reached`).
   */
  onFull: ((pendingMax: number) => void) | null = null;
  /** Refusing since the last time it had room (the episode `onFull` was told of). */
  private atBound = false;
  private readonly slots: Slot[];
  private pending = 0;
  private nextId = 1;
  private turn = 0;
  private closed = false;
  private readonly started: Promise<void>;

  /** A pool of `workers` (1 … 4), or null where there is no worker script (the bundle). */
  static create(
    workers: number,
    pendingMax = DECRYPT_PENDING_DEFAULT,
    url = decryptWorkerUrl(),
  ): DecryptPool | null {
    if (!Number.isInteger(workers) || workers < 1 || workers > DECRYPT_WORKERS_MAX) {
      throw new RangeError(
        `decrypt workers: got ${workers}; allowed an integer from 1 to ${DECRYPT_WORKERS_MAX}`,
      );
    }
    if (!Number.isInteger(pendingMax) || pendingMax < 1) {
      throw new RangeError(`decrypt pendingMax: got ${pendingMax}; allowed an integer ≥ 1`);
    }
    return url === null ? null : new DecryptPool(workers, pendingMax, url);
  }

  private constructor(
    workers: number,
    private readonly pendingMax: number,
    url: URL,
  ) {
    const readies: Promise<void>[] = [];
    this.slots = Array.from({ length: workers }, () => {
      let settle!: () => void;
      readies.push(new Promise<void>((resolve) => (settle = resolve)));
      return this.startWorker(url, () => settle());
    });
    this.started = Promise.all(readies).then(() => {});
  }

  /**
   * Resolves once every worker has loaded or died (until then bodies are decrypted
   * in-process: a worker still loading would hold them up, and the acks with them).
   */
  ready(): Promise<void> {
    return this.started;
  }

  /** Bodies held or in a worker now. */
  get size(): number {
    return this.pending;
  }

  decrypt(body: Buffer, keys: UaDecryptKeys): Promise<Buffer> | null {
    if (this.closed) return null;
    if (this.pending >= this.pendingMax) {
      this.counts.full += 1;
      if (!this.atBound) {
        this.atBound = true;
        this.onFull?.(this.pendingMax);
      }
      return null;
    }
    this.atBound = false;
    const slot = this.pick();
    if (slot === null) return null;
    this.pending += 1;
    return new Promise<Buffer>((resolve, reject) => {
      slot.next.push({ job: packJob(this.nextId++, body, keys), body, keys, resolve, reject });
      if (slot.working === null) this.send(slot);
    });
  }

  /** Ends the workers; bodies still pending are decrypted in-process first. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const exits = this.slots.map((slot) => {
      slot.alive = false;
      for (const pending of this.handBack(slot)) this.inProcess(pending);
      return slot.worker.terminate();
    });
    await Promise.all(exits);
  }

  private startWorker(url: URL, settled: () => void): Slot {
    const worker = new Worker(url, { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    // A pool left open must not keep the process alive; close() is still the way to end it.
    worker.unref();
    const slot: Slot = { worker, working: null, next: [], ready: false, alive: true };
    worker.on('message', (message: DecryptAnswers | DecryptReady) => {
      if ('ready' in message) {
        slot.ready = true;
        settled();
      } else this.answered(slot, message);
    });
    const died = (): void => {
      settled();
      if (!slot.alive) return;
      slot.alive = false;
      const handed = this.handBack(slot);
      this.counts.crashed += handed.length;
      for (const pending of handed) this.inProcess(pending);
    };
    worker.on('error', died);
    worker.on('exit', died);
    return slot;
  }

  /** The next live, loaded worker in turn, or null when there is none. */
  private pick(): Slot | null {
    for (let tried = 0; tried < this.slots.length; tried++) {
      const slot = this.slots[this.turn++ % this.slots.length]!;
      if (slot.alive && slot.ready) return slot;
    }
    return null;
  }

  private send(slot: Slot): void {
    const batch = slot.next;
    slot.next = [];
    slot.working = batch;
    const jobs = batch.map((pending) => pending.job);
    // Each job's buffer moves to the worker: nothing is copied on the way.
    const moved = jobs.map((job) => job.body.buffer as ArrayBuffer);
    slot.worker.postMessage({ jobs } satisfies DecryptBatch, moved);
  }

  private answered(slot: Slot, { answers }: DecryptAnswers): void {
    const working = slot.working ?? [];
    slot.working = null;
    working.forEach((pending, i) => {
      const answer = answers[i];
      if (answer === undefined || answer.id !== pending.job.id) {
        // Cannot happen with decrypt-worker.ts; if it did, the body is still decrypted.
        this.inProcess(pending);
        return;
      }
      this.pending -= 1;
      this.counts.offloaded += 1;
      if ('plaintext' in answer) {
        const { buffer, byteOffset, byteLength } = answer.plaintext;
        pending.resolve(Buffer.from(buffer, byteOffset, byteLength));
      } else {
        pending.reject(new CryptoError(answer.error.code as CryptoErrorCode, answer.error.message));
      }
    });
    if (slot.alive && slot.next.length > 0) this.send(slot);
  }

  /** Everything a worker holds or was to get, in order, taken from it. */
  private handBack(slot: Slot): Pending[] {
    const handed = [...(slot.working ?? []), ...slot.next];
    slot.working = null;
    slot.next = [];
    return handed;
  }

  /** Decrypts a pending body here, on the event loop, settling it as a worker would. */
  private inProcess(pending: Pending): void {
    this.pending -= 1;
    try {
      pending.resolve(decryptFromPush(pending.body, pending.keys));
    } catch (error) {
      pending.reject(error as Error);
    }
  }
}
