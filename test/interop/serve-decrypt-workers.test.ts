/**
 * serve's built-in user agent decrypting on worker threads (engine/parallel/decrypt-pool.ts):
 * what it receives arrives in the order the service accepted it, decrypted as in-process, a
 * body it cannot decrypt is reported as failed the same way, and stopping closes the pool.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { encryptForSubscription } from '../../src/main/engine/crypto';
import { ServeLab } from '../../src/main/engine/serve/serve-lab';
import type { LabEvent } from '../../src/shared/events';
import { call, client, until } from '../helpers/h2';
import { serveLabOptions } from '../helpers/serve-lab';

const labs: ServeLab[] = [];
afterEach(async () => {
  await Promise.all(labs.splice(0).map((lab) => lab.stop()));
});

async function serve(
  decryptWorkers: number,
  listener?: (event: LabEvent) => void,
): Promise<ServeLab> {
  const lab = new ServeLab(
    serveLabOptions({ subscriptions: 2, decryptWorkers, ...(listener ? { listener } : {}) }),
  );
  labs.push(lab);
  await lab.start();
  return lab;
}

/** Sends each text in turn (each accepted before the next goes) to the subscription. */
async function sendAll(lab: ServeLab, index: number, texts: string[], tamper = -1): Promise<void> {
  const { subscription } = lab.subscriptions()[index]!;
  const session = await client(lab.url);
  try {
    for (const [i, text] of texts.entries()) {
      const body = encryptForSubscription({
        plaintext: Buffer.from(text),
        uaPublic: Buffer.from(subscription.keys.p256dh, 'base64url'),
        authSecret: Buffer.from(subscription.keys.auth, 'base64url'),
      });
      if (i === tamper) body[body.length - 1]! ^= 0xff;
      const reply = await call(
        session,
        {
          ':method': 'POST',
          ':path': new URL(subscription.endpoint).pathname,
          ttl: '60',
          'content-encoding': 'aes128gcm',
        },
        body,
      );
      expect(reply.status).toBe(201);
    }
  } finally {
    session.close();
  }
}

describe('serve with decryption workers', { timeout: 60_000 }, () => {
  it('delivers each subscription’s messages in the order accepted, decrypted, and closes the pool on stop', async () => {
    const lab = await serve(2);
    const texts = Array.from({ length: 40 }, (_, i) => `message ${i}`);
    const other = Array.from({ length: 10 }, (_, i) => `other ${i}`);
    await Promise.all([sendAll(lab, 0, texts), sendAll(lab, 1, other)]);
    await until(() => lab.messages().messages.length === 50, 20_000);
    const endpoint = (i: number): string => lab.subscriptions()[i]!.subscription.endpoint;
    const of = (i: number) =>
      lab.messages(endpoint(i)).messages.map((m) => [m.plaintext, m.decrypted]);
    expect(of(0)).toEqual(texts.map((t) => [t, true]));
    expect(of(1)).toEqual(other.map((t) => [t, true]));
    const pool = lab.decryptPool!;
    expect(pool.counts.offloaded).toBe(50);
    await lab.stop();
    expect(
      pool.decrypt(Buffer.alloc(100), {
        uaPrivate: Buffer.alloc(32),
        uaPublic: Buffer.alloc(65),
        authSecret: Buffer.alloc(16),
      }),
    ).toBeNull();
  });

  it('reports a body it cannot decrypt as the in-process agent does, and keeps the order', async () => {
    const records = [];
    for (const workers of [0, 2]) {
      const lab = await serve(workers);
      await sendAll(lab, 0, ['a', 'b', 'c'], 1);
      await until(() => lab.messages().messages.length === 3, 20_000);
      records.push(lab.messages().messages.map((m) => [m.plaintext, m.decrypted]));
      expect(lab.decryptPool?.counts.offloaded ?? 3).toBe(3);
    }
    expect(records[1]).toEqual(records[0]);
    expect(records[0]).toEqual([
      ['a', true],
      [null, false],
      ['c', true],
    ]);
  });

  it('refuses a worker count outside 0 to 4, naming the option', () => {
    expect(() => new ServeLab(serveLabOptions({ decryptWorkers: 5 }))).toThrow(
      'decryptWorkers: got 5; allowed a whole number from 0 to 4',
    );
  });

  it('says when the pool reaches its bound: a limit.reached event of the service', async () => {
    const events: LabEvent[] = [];
    const lab = await serve(1, (event) => events.push(event));
    // The bound (256 bodies pending) is the pool's to hit (test/unit/parallel): here, what
    // serve makes of the pool's word.
    lab.decryptPool!.onFull!(256);
    expect(events.filter((e) => e.kind === 'limit.reached')).toEqual([
      expect.objectContaining({
        kind: 'limit.reached',
        what: 'decrypt-pending',
        subjectId: lab.lab.service.id,
        limit: 256,
      }),
    ]);
  });
});
