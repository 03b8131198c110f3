/** What the decryption pool and its workers say to each other (decrypt-pool.ts). */

/** One aes128gcm body and the subscription's keys: views of one buffer that moves to a worker. */
export interface DecryptJob {
  id: number;
  body: Uint8Array;
  uaPrivate: Uint8Array;
  uaPublic: Uint8Array;
  authSecret: Uint8Array;
}

/** A job's plaintext, or the CryptoError it failed with (code and sentence, unchanged). */
export type DecryptAnswer =
  { id: number; plaintext: Uint8Array } | { id: number; error: { code: string; message: string } };

/** To a worker: the jobs gathered while it worked on the previous batch. */
export interface DecryptBatch {
  jobs: DecryptJob[];
}

/** From a worker: the answers to one batch, in its order. */
export interface DecryptAnswers {
  answers: DecryptAnswer[];
}

/** From a worker, once, when it has loaded and takes batches. */
export interface DecryptReady {
  ready: true;
}
