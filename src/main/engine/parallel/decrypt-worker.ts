/**
 * A decryption worker: takes batches of aes128gcm bodies with their subscriptions' keys,
 * answers each with its plaintext or its CryptoError (code and sentence) — the same
 * decryptFromPush the user agent runs in-process, so a refusal reads the same either way.
 */
import { parentPort } from 'node:worker_threads';
import { CryptoError } from '../crypto/errors';
import { decryptFromPush } from '../crypto/webpush';
import type { DecryptAnswer, DecryptAnswers, DecryptBatch, DecryptReady } from './decrypt-protocol';

/** Private keys kept by content (bounded): computeEcdhSecret keeps its ECDH object per key
 * buffer, and every job brings a fresh copy of the same few keys. */
const KEYS_KEPT_MAX = 1024;
const keys = new Map<string, Uint8Array>();

function keptKey(key: Uint8Array): Uint8Array {
  const id = Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('base64');
  const known = keys.get(id);
  if (known) return known;
  keys.set(id, key);
  if (keys.size > KEYS_KEPT_MAX) keys.delete(keys.keys().next().value!);
  return key;
}

const port = parentPort;
if (port === null) throw new Error('decrypt-worker: not in a worker thread');
port.on('message', ({ jobs }: DecryptBatch) => {
  const answers: DecryptAnswer[] = [];
  const transfer: ArrayBuffer[] = [];
  for (const job of jobs) {
    try {
      const plaintext = decryptFromPush(job.body, {
        uaPrivate: keptKey(job.uaPrivate),
        uaPublic: job.uaPublic,
        authSecret: job.authSecret,
      });
      // A copy of its own, so its buffer can move without taking a pooled slab along.
      const own = new Uint8Array(plaintext);
      answers.push({ id: job.id, plaintext: own });
      transfer.push(own.buffer);
    } catch (error) {
      // Only a verdict on the message travels back; anything else is a bug and crashes the
      // worker, and the pool decrypts its jobs in-process, where the bug shows.
      if (!(error instanceof CryptoError)) throw error;
      answers.push({ id: job.id, error: { code: error.code, message: error.message } });
    }
  }
  port.postMessage({ answers } satisfies DecryptAnswers, transfer);
});
port.postMessage({ ready: true } satisfies DecryptReady);
