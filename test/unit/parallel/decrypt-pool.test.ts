import { afterEach, describe, expect, it } from 'vitest';
import {
  createUaKeys,
  CryptoError,
  decryptFromPush,
  encryptForSubscription,
  type UaDecryptKeys,
} from '../../../src/main/engine/crypto';
import {
  DECRYPT_WORKERS_MAX,
  DecryptPool,
  decryptWorkerUrl,
  decryptWorkersFor,
} from '../../../src/main/engine/parallel/decrypt-pool';

const ua = createUaKeys();
const keys: UaDecryptKeys = {
  uaPrivate: ua.privateKey,
  uaPublic: ua.publicKey,
  authSecret: ua.authSecret,
};
const bodyOf = (text: string): Buffer =>
  encryptForSubscription({
    plaintext: Buffer.from(text),
    uaPublic: ua.publicKey,
    authSecret: ua.authSecret,
  });

const pools: DecryptPool[] = [];
async function pool(workers: number, pendingMax?: number, url?: URL): Promise<DecryptPool> {
  const made = DecryptPool.create(workers, pendingMax, url)!;
  pools.push(made);
  await made.ready();
  return made;
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('DecryptPool (serve: decryption on worker threads)', { timeout: 30_000 }, () => {
  it('decrypts in its workers what decryptFromPush decrypts, every body its own plaintext', async () => {
    const p = await pool(2);
    const texts = Array.from({ length: 50 }, (_, i) => `message ${i} ${'x'.repeat(i)}`);
    const plaintexts = await Promise.all(texts.map((t) => p.decrypt(bodyOf(t), keys)!));
    expect(plaintexts.map((b) => b.toString())).toEqual(texts);
    expect(p.counts).toEqual({ offloaded: 50, full: 0, crashed: 0 });
    expect(p.size).toBe(0);
  });

  it('refuses a tampered body with the same CryptoError, code and sentence, as in-process', async () => {
    const p = await pool(1);
    const body = bodyOf('hello');
    body[body.length - 1]! ^= 0xff; // the tag
    let inProcess: unknown;
    try {
      decryptFromPush(body, keys);
    } catch (error) {
      inProcess = error;
    }
    const offloaded = await p.decrypt(body, keys)!.catch((error: unknown) => error);
    expect(offloaded).toBeInstanceOf(CryptoError);
    expect(inProcess).toBeInstanceOf(CryptoError);
    expect({
      code: (offloaded as CryptoError).code,
      message: (offloaded as CryptoError).message,
    }).toEqual({
      code: (inProcess as CryptoError).code,
      message: (inProcess as CryptoError).message,
    });
    expect((offloaded as CryptoError).code).toBe('ERR_ECE_BAD_TAG');
  });

  it('is bounded: past pendingMax it answers null (the caller decrypts) and counts it', async () => {
    const p = await pool(1, 2);
    const told: number[] = [];
    p.onFull = (limit) => told.push(limit);
    const first = p.decrypt(bodyOf('a'), keys);
    const second = p.decrypt(bodyOf('b'), keys);
    expect(p.decrypt(bodyOf('c'), keys)).toBeNull();
    expect(p.decrypt(bodyOf('c2'), keys)).toBeNull();
    expect(p.counts.full).toBe(2);
    // Hitting the bound is told once an episode, with the bound.
    expect(told).toEqual([2]);
    expect(p.size).toBe(2);
    expect((await first)!.toString() + (await second)!.toString()).toBe('ab');
    // Room again once they are answered; the next time it fills is a new episode.
    const third = p.decrypt(bodyOf('d'), keys);
    const fourth = p.decrypt(bodyOf('e'), keys);
    expect(p.decrypt(bodyOf('f'), keys)).toBeNull();
    expect(told).toEqual([2, 2]);
    expect((await third)!.toString() + (await fourth)!.toString()).toBe('de');
  });

  it('closes: what was pending is still decrypted, then it takes nothing more', async () => {
    const p = await pool(1);
    const pending = Array.from({ length: 20 }, (_, i) => p.decrypt(bodyOf(`m${i}`), keys)!);
    await p.close();
    expect((await Promise.all(pending)).map(String)).toEqual(
      Array.from({ length: 20 }, (_, i) => `m${i}`),
    );
    expect(p.decrypt(bodyOf('late'), keys)).toBeNull();
    expect(p.size).toBe(0);
  });

  it('hands a dead worker’s bodies back to be decrypted in-process, counted', async () => {
    const dies = new URL('./fixtures/decrypt-dies-worker.mjs', import.meta.url);
    const p = await pool(1, 100, dies);
    const texts = ['one', 'two', 'three'];
    const plaintexts = await Promise.all(texts.map((t) => p.decrypt(bodyOf(t), keys)!));
    expect(plaintexts.map(String)).toEqual(texts);
    expect(p.counts.crashed).toBe(3);
    // No worker left: the caller decrypts in-process from now on.
    expect(p.decrypt(bodyOf('four'), keys)).toBeNull();
  });

  it('checks its size and finds its worker only when running from source', () => {
    expect(() => DecryptPool.create(0)).toThrow(/got 0; allowed an integer from 1 to 4/);
    expect(() => DecryptPool.create(DECRYPT_WORKERS_MAX + 1)).toThrow(RangeError);
    expect(decryptWorkerUrl('file:///app/out/main/index.js')).toBeNull();
    expect(DecryptPool.create(1, 10, null)).toBeNull();
    expect(decryptWorkersFor(1)).toBe(0);
    expect(decryptWorkersFor(2)).toBe(1);
    expect(decryptWorkersFor(64)).toBe(DECRYPT_WORKERS_MAX);
  });
});
