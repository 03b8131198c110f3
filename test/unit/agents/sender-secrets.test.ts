/**
 * Sender secrets made ahead on a worker: what a send takes decrypts with the subscription's
 * own keys, every pair is used once, the worker starts only after `startAfter` sends, the
 * bounds hold, a bad key falls back to the sender's own (refusing) encryption, and close()
 * ends the worker.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { encode } from '../../../src/main/engine/agents/app-server';
import {
  encryptWithSecret,
  SenderSecrets,
  type SenderSecret,
} from '../../../src/main/engine/agents/sender-secrets';
import {
  createUaKeys,
  decryptFromPush,
  parseHeader,
  WEBPUSH_PLAINTEXT_MAX_OCTETS,
} from '../../../src/main/engine/crypto';
import { eventually } from '../../helpers/poll';

const opened: SenderSecrets[] = [];
function secrets(options: ConstructorParameters<typeof SenderSecrets>[0]): SenderSecrets {
  const s = new SenderSecrets(options);
  opened.push(s);
  return s;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

const decryptKeys = (ua: ReturnType<typeof createUaKeys>) => ({
  uaPrivate: ua.privateKey,
  uaPublic: ua.publicKey,
  authSecret: ua.authSecret,
});

/** Takes until a secret made ahead comes back (the worker answers on its own time). */
async function takeReady(s: SenderSecrets, key: Uint8Array): Promise<SenderSecret> {
  return eventually('a sender secret made ahead', () => s.take(key), { timeoutMs: 5_000 });
}

describe('SenderSecrets', () => {
  it('serves pairs made on the worker, each once, that the subscription decrypts', async () => {
    const ua = createUaKeys();
    const s = secrets({ startAfter: 1, depth: 2, batch: 1 });
    expect(s.take(ua.publicKey)).toBeNull(); // the first send starts the worker
    expect(s.running).toBe(true);
    const keyIds = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const sender = await takeReady(s, ua.publicKey);
      const body = encryptWithSecret(Buffer.from(`message ${i}`), ua, sender);
      expect(decryptFromPush(body, decryptKeys(ua)).toString()).toBe(`message ${i}`);
      keyIds.add(Buffer.from(parseHeader(body).keyid).toString('hex'));
    }
    expect(keyIds.size).toBe(4); // a fresh sender pair per message (RFC 8291 §3.1)
    expect(s.served).toBe(4);
  });

  it('encode takes a ready pair when the world has one, and decrypts the same either way', async () => {
    const ua = createUaKeys();
    const s = secrets({ startAfter: 1, batch: 1 });
    const first = encode(ua, 'inline', s);
    expect(s.inline).toBe(1);
    await eventually('a pair ready', () => (s.take(ua.publicKey), s.served > 0));
    const servedBefore = s.served;
    await eventually('another pair ready', () => {
      const body = encode(ua, 'ahead', s).body;
      return s.served > servedBefore ? body : null;
    }).then((body) => expect(decryptFromPush(body, decryptKeys(ua)).toString()).toBe('ahead'));
    expect(decryptFromPush(first.body, decryptKeys(ua)).toString()).toBe('inline');
    expect(first.contentHeaders).toEqual({ 'content-encoding': 'aes128gcm' });
  });

  it('starts no worker before startAfter sends', () => {
    const ua = createUaKeys();
    const s = secrets({ startAfter: 3 });
    s.take(ua.publicKey);
    s.take(ua.publicKey);
    expect(s.running).toBe(false);
    s.take(ua.publicKey);
    expect(s.running).toBe(true);
    expect(s.inline).toBe(3);
  });

  it('starts no worker when not enabled (a run on a pool worker: every core is busy already)', () => {
    const ua = createUaKeys();
    const s = secrets({ startAfter: 1, batch: 1, enabled: false });
    for (let i = 0; i < 5; i++) expect(s.take(ua.publicKey)).toBeNull();
    expect(s.running).toBe(false);
  });

  it('keeps secrets for at most keysMax keys; a key beyond is served inline', async () => {
    const a = createUaKeys();
    const b = createUaKeys();
    const s = secrets({ startAfter: 1, keysMax: 1, batch: 1 });
    s.take(a.publicKey);
    s.take(b.publicKey);
    await takeReady(s, a.publicKey);
    // b was never asked for: every later take of b is inline, however long we wait.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(s.take(b.publicKey)).toBeNull();
    expect(s.take(b.publicKey)).toBeNull();
  });

  it('posts requests in batches: `batch` keys waiting, or 4 × `batch` sends since the last post', () => {
    const s = secrets({ startAfter: 1, batch: 3 });
    const keys = [createUaKeys(), createUaKeys(), createUaKeys(), createUaKeys()];
    s.take(keys[0]!.publicKey);
    s.take(keys[1]!.publicKey);
    expect(s.posts).toBe(0);
    s.take(keys[2]!.publicKey); // three keys waiting
    expect(s.posts).toBe(1);
    s.take(keys[3]!.publicKey); // waits alone
    for (let i = 0; i < 10; i++) s.take(keys[0]!.publicKey); // asked already: nothing new waits
    expect(s.posts).toBe(1);
    s.take(keys[0]!.publicKey); // twelve sends since the post: the one waiting goes
    expect(s.posts).toBe(2);
  });

  it('holds at most readyMax secrets ready or asked for; a busy key asks for more each time', async () => {
    const ua = createUaKeys();
    const s = secrets({ startAfter: 1, batch: 1, depth: 2, readyMax: 5 });
    s.take(ua.publicKey); // asks for 2
    await takeReady(s, ua.publicKey); // 1 left
    await takeReady(s, ua.publicKey); // none left: asks for 4 (then 5 − 4 room for none more)
    let got = 0;
    for (; got < 4; got++) await takeReady(s, ua.publicKey);
    // The next request would ask for 8; the bound lets it have 5.
    await takeReady(s, ua.publicKey);
    const servedBefore = s.served;
    for (let i = 0; i < 4; i++) await takeReady(s, ua.publicKey);
    expect(s.served - servedBefore).toBe(4);
    // Five made (one taken above, four here), not eight: the next send finds none ready.
    expect(s.take(ua.publicKey)).toBeNull();
    expect(s.served).toBe(2 + 4 + 5);
  });

  it('a key off the curve gets nothing ahead; encode then refuses it as before', async () => {
    const ua = createUaKeys();
    const bad = Buffer.from(ua.publicKey);
    bad[64] = bad[64]! ^ 1; // no longer on P-256
    const keys = { ...ua, publicKey: bad };
    const s = secrets({ startAfter: 1, batch: 1 });
    expect(() => encode(keys, 'x', s)).toThrow(/ECDH failed|not a valid|point/i);
    // the worker's answer (none made) has come back: still nothing to take.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(s.take(bad)).toBeNull();
    expect(s.served).toBe(0);
  });

  it('refuses a plaintext that cannot fit one 4096-octet record, naming its size', async () => {
    const ua = createUaKeys();
    const s = secrets({ startAfter: 1, batch: 1 });
    s.take(ua.publicKey);
    const sender = await takeReady(s, ua.publicKey);
    const big = Buffer.alloc(WEBPUSH_PLAINTEXT_MAX_OCTETS + 1);
    expect(() => encryptWithSecret(big, ua, sender)).toThrow(
      `plaintext + padding is ${WEBPUSH_PLAINTEXT_MAX_OCTETS + 1} octets`,
    );
  });

  it('close() ends the worker; after it every send makes its own', async () => {
    const ua = createUaKeys();
    const s = secrets({ startAfter: 1, batch: 1 });
    s.take(ua.publicKey);
    await takeReady(s, ua.publicKey);
    await s.close();
    expect(s.running).toBe(false);
    expect(s.take(ua.publicKey)).toBeNull();
    expect(encode(ua, 'after close', s).body.length).toBeGreaterThan(0);
  });
});
