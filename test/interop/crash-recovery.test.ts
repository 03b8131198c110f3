/**
 * kill -9 under load: `push-lab serve --store DIR` (and `--store redis://…`) is killed at seeded random moments while
 * an application server pushes (mixed TTLs, some with a Topic) and a user agent monitors
 * and acknowledges some messages as they arrive; it restarts on the same port with the
 * same store each time. RFC 8030 §5 is a store-and-forward promise, so afterwards:
 *   - every message answered 201 was delivered (after its last restart, unless it was
 *     acknowledged) or expired by its TTL or was replaced through its Topic;
 *   - no message whose acknowledgement got 204 is delivered again;
 *   - no payload arrives under two message URLs (after de-duplication by URL, once).
 */
import http2, { type ClientHttp2Session } from 'node:http2';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import webpush from 'web-push';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { b64uDecode } from '../../src/main/engine/crypto/base64url';
import { encryptForSubscription } from '../../src/main/engine/crypto/webpush';
import { runCli, startCli, type Running } from '../helpers/cli';
import { noRedisReason, startRedis, type RedisServer } from '../helpers/redis';

const SEED = 0x5eed_2026;
const KILLS = 4;
/** Load runs this long (ms) before each kill, drawn from the seed. */
const LOAD_MS = { min: 400, max: 1600 };
const LANES = 6;
const TTLS_SECONDS = [1, 2, 600, 3600];
const ACK_SHARE = 0.7;
/** The final epoch ends when no push arrived for this long. */
const QUIET_MS = 3000;

/** mulberry32: a small seeded generator, so the kill moments are the same every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Sent {
  n: number;
  sub: number;
  ttl: number;
  topic: string | null;
  sentAt: number;
  /** Message path from the 201's Location; null without a 201. */
  path: string | null;
}

interface Delivery {
  path: string;
  n: number;
  epoch: number;
  at: number;
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function connect(url: string, enablePush: boolean): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    // After four kills the queues hold hundreds of messages, all promised at once when the
    // user agent monitors again; node's client refuses promises past 200 reserved streams
    // (maxReservedRemoteStreams) and the service does not yet re-offer a refused push on a
    // live GET (noted in the closing note of issue 10), so this user agent accepts them all.
    const session = http2.connect(url, {
      settings: { enablePush },
      maxReservedRemoteStreams: 10_000,
    });
    session.once('error', reject);
    session.once('connect', () => {
      session.off('error', reject);
      session.on('error', () => {});
      resolve(session);
    });
  });
}

function request(
  session: ClientHttp2Session,
  headers: http2.OutgoingHttpHeaders,
  body?: Buffer,
): Promise<{ status: number; headers: http2.IncomingHttpHeaders } | null> {
  return new Promise((resolve) => {
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request(headers, { endStream: body === undefined });
    } catch {
      return resolve(null);
    }
    let h: http2.IncomingHttpHeaders | null = null;
    stream.on('response', (r) => (h = r));
    stream.on('error', () => resolve(null));
    stream.on('close', () => resolve(h ? { status: Number(h[':status']), headers: h } : null));
    stream.resume();
    if (body !== undefined) stream.end(body);
  });
}

/** An aes128gcm-shaped body (RFC 8188 header with an empty keyid) carrying `n`. */
function bodyOf(n: number): Buffer {
  return Buffer.concat([Buffer.alloc(21), Buffer.from(JSON.stringify({ n }))]);
}

/** A `--store` value: a new directory, or a new database of a Redis the suite started. */
interface Backend {
  name: string;
  skip: string | null;
  store(test: number): string;
}

let redis: RedisServer | null = null;
const BACKENDS: Backend[] = [
  {
    name: 'a store directory',
    skip: null,
    store() {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'push-lab-crash-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      return dir;
    },
  },
  // Each test in a database of its own: the service's keys start empty.
  { name: 'Redis', skip: noRedisReason, store: (test) => `${redis!.url}/${test}` },
];

for (const backend of BACKENDS) {
  describe.skipIf(backend.skip !== null)(
    `push-lab serve --store (${backend.name}) survives kill -9 under load ${backend.skip ?? ''}`,
    () => {
      if (backend.name === 'Redis') {
        beforeAll(async () => {
          redis = await startRedis();
        });
        afterAll(async () => {
          await redis?.stop();
        });
      }
      crashCases(backend);
    },
  );
}

function crashCases(backend: Backend): void {
  it('keeps every 201, never redelivers a 204-acked message, never duplicates a payload', async () => {
    const random = rng(SEED);
    const storeDir = backend.store(1);
    const sent: Sent[] = [];
    const deliveries: Delivery[] = [];
    /** message path → when its DELETE got 204. */
    const ackedAt = new Map<string, number>();
    /** Paths whose DELETE went out without a 204 (the kill came first): acked or not. */
    const ackUnknown = new Set<string>();
    let port = 0;
    const subs: { subPath: string; pushPath: string }[] = [];
    let n = 0;

    for (let epoch = 0; epoch <= KILLS; epoch++) {
      const serve: Running = startCli([
        'serve',
        '--h2c',
        '--port',
        String(port),
        '--store',
        storeDir,
        '--subscriptions',
        '0',
        '--json',
      ]);
      cleanups.push(() => serve.stop());
      const listening = JSON.parse(await serve.waitFor(/"type":"listening"/)) as {
        url: string;
      };
      port = Number(new URL(listening.url).port);
      const ua = await connect(listening.url, true);
      const as = await connect(listening.url, false);
      cleanups.push(
        () => ua.destroy(),
        () => as.destroy(),
      );

      if (epoch === 0) {
        // A second serve on the same store is refused with one sentence.
        const second = runCli(['serve', '--h2c', '--port', '0', '--store', storeDir]);
        expect(second.code).toBe(1);
        expect(second.stderr.trim().split('\n')).toHaveLength(1);
        expect(second.stderr).toContain(`store ${storeDir} is in use by process`);
        for (let i = 0; i < 2; i++) {
          const reply = await request(ua, { ':method': 'POST', ':path': '/subscribe' });
          expect(reply?.status).toBe(201);
          const link = [reply!.headers['link'] ?? ''].flat().join(', ');
          subs.push({
            subPath: new URL(String(reply!.headers['location'])).pathname,
            pushPath: /<([^>]+)>;\s*rel="urn:ietf:params:push"/.exec(link)![1]!,
          });
        }
      }

      // The user agent monitors both subscriptions and acknowledges some pushes.
      const final = epoch === KILLS;
      let lastPushAt = Date.now();
      ua.on('stream', (stream, headers) => {
        const messagePath = String(headers[':path']);
        const chunks: Buffer[] = [];
        stream.on('error', () => {});
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          lastPushAt = Date.now();
          const body = Buffer.concat(chunks);
          const { n: sentN } = JSON.parse(body.subarray(21).toString()) as { n: number };
          deliveries.push({ path: messagePath, n: sentN, epoch, at: Date.now() });
          if (!final && random() >= ACK_SHARE) return;
          void request(ua, { ':method': 'DELETE', ':path': messagePath }).then((reply) => {
            if (reply?.status === 204) ackedAt.set(messagePath, Date.now());
            else if (reply === null) ackUnknown.add(messagePath);
          });
        });
      });
      for (const sub of subs) {
        const monitor = ua.request({ ':method': 'GET', ':path': sub.subPath });
        monitor.on('error', () => {});
        monitor.resume();
      }

      if (final) {
        await new Promise<void>((resolve) => {
          const check = setInterval(() => {
            if (Date.now() - lastPushAt >= QUIET_MS) {
              clearInterval(check);
              resolve();
            }
          }, 100);
        });
        break;
      }

      // Load until the seeded moment, then kill -9 in the middle of it.
      let loading = true;
      const lane = async (index: number): Promise<void> => {
        while (loading) {
          const topical = index === 0 && random() < 0.5;
          const item: Sent = {
            n: ++n,
            sub: Math.floor(random() * subs.length),
            ttl: TTLS_SECONDS[Math.floor(random() * TTLS_SECONDS.length)]!,
            topic: topical ? `t${Math.floor(random() * 2)}` : null,
            sentAt: Date.now(),
            path: null,
          };
          sent.push(item);
          const reply = await request(
            as,
            {
              ':method': 'POST',
              ':path': subs[item.sub]!.pushPath,
              ttl: String(item.ttl),
              'content-encoding': 'aes128gcm',
              ...(item.topic ? { topic: item.topic } : {}),
            },
            bodyOf(item.n),
          );
          if (reply?.status === 201) {
            item.path = new URL(String(reply.headers['location'])).pathname;
          } else if (reply === null) {
            return; // the service is gone
          } else {
            throw new Error(`push ${item.n}: got ${reply.status}`);
          }
        }
      };
      const lanes = Array.from({ length: LANES }, (_, i) => lane(i));
      const loadMs = LOAD_MS.min + Math.floor(random() * (LOAD_MS.max - LOAD_MS.min));
      await new Promise((r) => setTimeout(r, loadMs));
      serve.child.kill('SIGKILL');
      await serve.stop();
      loading = false;
      await Promise.all(lanes);
      ua.destroy();
      as.destroy();
    }
    const endedAt = Date.now();

    const accepted = sent.filter((s) => s.path !== null);
    expect(accepted.length).toBeGreaterThan(100);
    const byPath = new Map(accepted.map((s) => [s.path!, s]));

    // No payload under two message URLs; every delivery is of a message this run sent.
    const pathsOfN = new Map<number, Set<string>>();
    for (const d of deliveries) {
      if (!pathsOfN.has(d.n)) pathsOfN.set(d.n, new Set());
      pathsOfN.get(d.n)!.add(d.path);
    }
    for (const [sentN, paths] of pathsOfN) expect([sentN, paths.size]).toEqual([sentN, 1]);

    // Nothing acknowledged with 204 comes back.
    for (const d of deliveries) {
      const acked = ackedAt.get(d.path);
      if (acked !== undefined)
        expect({ path: d.path, after: d.at > acked }).toMatchObject({ after: false });
    }

    // Every 201 was honoured.
    const lastEpoch = KILLS;
    const missing: Sent[] = [];
    for (const s of accepted) {
      if (ackedAt.has(s.path!) || ackUnknown.has(s.path!)) continue;
      if (deliveries.some((d) => d.path === s.path && d.epoch === lastEpoch)) continue;
      if (s.sentAt + s.ttl * 1000 <= endedAt) continue; // expired by its TTL
      const replaced =
        s.topic !== null && sent.some((o) => o.n > s.n && o.sub === s.sub && o.topic === s.topic);
      if (replaced) continue;
      missing.push(s);
    }
    expect(missing).toEqual([]);
    // The run exercised what it claims: redeliveries after restarts, acks, expiries.
    expect(deliveries.some((d) => d.epoch === lastEpoch)).toBe(true);
    expect(ackedAt.size).toBeGreaterThan(20);
    expect(accepted.some((s) => s.ttl <= 2)).toBe(true);
    expect(byPath.size).toBe(accepted.length);
  }, 120_000);

  it('the built-in user agent keeps its PushSubscription across kill -9, and decrypts with it', async () => {
    const storeDir = backend.store(2);
    const args = ['serve', '--h2c', '--store', storeDir, '--subscriptions', '1', '--json'];
    const first = startCli([...args, '--port', '0']);
    cleanups.push(() => first.stop());
    const { url } = JSON.parse(await first.waitFor(/"type":"listening"/)) as { url: string };
    const printed = JSON.parse(await first.waitFor(/"type":"subscription"/)) as {
      endpoint: string;
      keys: { p256dh: string; auth: string };
    };
    first.child.kill('SIGKILL');
    await first.stop();

    const second = startCli([...args, '--port', new URL(url).port]);
    cleanups.push(() => second.stop());
    const again = JSON.parse(await second.waitFor(/"type":"subscription"/)) as typeof printed;
    expect(again.endpoint).toBe(printed.endpoint);
    expect(again.keys).toEqual(printed.keys);

    const as = await connect(url, false);
    cleanups.push(() => as.destroy());
    const body = encryptForSubscription({
      plaintext: Buffer.from('still here after kill -9'),
      uaPublic: b64uDecode(printed.keys.p256dh),
      authSecret: b64uDecode(printed.keys.auth),
    });
    const reply = await request(
      as,
      {
        ':method': 'POST',
        ':path': new URL(printed.endpoint).pathname,
        ttl: '60',
        'content-encoding': 'aes128gcm',
      },
      body,
    );
    expect(reply?.status).toBe(201);
    const line = JSON.parse(await second.waitFor(/"type":"message"/)) as Record<string, unknown>;
    expect(line).toMatchObject({ plaintext: 'still here after kill -9', decrypted: true });
  }, 60_000);

  it('a message restored after kill -9 is reported as it was accepted: sender, draft-VAPID label, TTL asked for', async () => {
    const storeDir = backend.store(4);
    const args = ['serve', '--h2c', '--store', storeDir, '--subscriptions', '0', '--json'];
    const first = startCli([...args, '--port', '0']);
    cleanups.push(() => first.stop());
    const { url } = JSON.parse(await first.waitFor(/"type":"listening"/)) as { url: string };
    const session = await connect(url, false);
    cleanups.push(() => session.destroy());
    // Subscribed, never monitored: the message waits in the store across the kill.
    const made = await request(session, { ':method': 'POST', ':path': '/subscribe' });
    expect(made?.status).toBe(201);
    const link = [made!.headers['link'] ?? ''].flat().join(', ');
    const pushPath = /<([^>]+)>;\s*rel="urn:ietf:params:push"/.exec(link)![1]!;
    const vapid = webpush.generateVAPIDKeys();
    const signed = webpush.getVapidHeaders(
      new URL(url).origin,
      'mailto:crash@example.com',
      vapid.publicKey,
      vapid.privateKey,
      'aesgcm',
    );
    const sent = await request(
      session,
      {
        ':method': 'POST',
        ':path': pushPath,
        // More than the service keeps (28 days): the event names both.
        ttl: '9999999',
        'content-encoding': 'aes128gcm',
        'user-agent': 'push-lab/as1',
        authorization: signed.Authorization,
        'crypto-key': signed['Crypto-Key']!,
      },
      bodyOf(1),
    );
    expect(sent?.status).toBe(201);
    const accepted = /"type":"event","kind":"message.accepted"/;
    const before = JSON.parse(await first.waitFor(accepted)) as Record<string, unknown>;
    expect(before).toMatchObject({
      senderId: 'as1',
      legacy: ['vapid-webpush'],
      ttlRequestedSeconds: 9999999,
    });
    session.destroy();
    first.child.kill('SIGKILL');
    await first.stop();

    const second = startCli([...args, '--port', new URL(url).port]);
    cleanups.push(() => second.stop());
    const after = JSON.parse(await second.waitFor(accepted)) as Record<string, unknown>;
    const { seq: _s, t: _t, ...fields } = before;
    expect(after).toMatchObject(fields);
  }, 60_000);

  it('a subscription made through the control API keeps its key, its restriction and its messages across kill -9', async () => {
    const storeDir = backend.store(3);
    const vapid = webpush.generateVAPIDKeys();
    const args = ['serve', '--h2c', '--store', storeDir, '--subscriptions', '0', '--json'];
    const serveWithControl = async (port: number) => {
      const serve = startCli([...args, '--port', String(port), '--control', '127.0.0.1:0']);
      cleanups.push(() => serve.stop());
      const { url } = JSON.parse(await serve.waitFor(/"type":"listening"/)) as { url: string };
      const control = (JSON.parse(await serve.waitFor(/"type":"control"/)) as { url: string }).url;
      const api = async <T>(route: string, body?: unknown): Promise<T> => {
        const res = await fetch(new URL(route, control), {
          method: body === undefined ? 'GET' : 'POST',
          ...(body === undefined
            ? {}
            : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
        });
        expect(res.status, route).toBeLessThan(300);
        return (await res.json()) as T;
      };
      return { serve, url, api };
    };
    interface View {
      id: string;
      state: string;
      applicationServerKey: string | null;
      subscription: { endpoint: string; keys: { p256dh: string; auth: string } };
    }
    interface Next {
      message: { plaintext: string; decrypted: boolean; endpoint: string } | null;
    }
    /** web-push's request, VAPID-signed, sent over h2c (web-push itself sends only https). */
    const sendSigned = async (url: string, view: View, text: string) => {
      const details = webpush.generateRequestDetails(view.subscription, text, {
        TTL: 600,
        vapidDetails: {
          subject: 'mailto:crash@example.com',
          publicKey: vapid.publicKey,
          privateKey: vapid.privateKey,
        },
      });
      const as = await connect(url, false);
      cleanups.push(() => as.destroy());
      const headers: http2.OutgoingHttpHeaders = {
        ':method': 'POST',
        ':path': new URL(view.subscription.endpoint).pathname,
      };
      for (const [name, value] of Object.entries(details.headers))
        headers[name.toLowerCase()] = String(value);
      const reply = await request(as, headers, details.body as Buffer);
      as.destroy();
      return reply?.status;
    };

    const first = await serveWithControl(0);
    const made = await first.api<View>('subscriptions', { applicationServerKey: vapid.publicKey });
    expect(made).toMatchObject({ state: 'active', applicationServerKey: vapid.publicKey });
    expect(await sendSigned(first.url, made, 'before the crash')).toBe(201);
    const before = await first.api<Next>(`messages/next?subscription=${made.id}&timeoutMs=10000`);
    expect(before.message).toMatchObject({ plaintext: 'before the crash', decrypted: true });
    first.serve.child.kill('SIGKILL');
    await first.serve.stop();

    // Same port, same store: the test suite still holds the subscription it made.
    const second = await serveWithControl(Number(new URL(first.url).port));
    const { subscriptions } = await second.api<{ subscriptions: View[] }>('subscriptions');
    expect(subscriptions).toEqual([made]);
    expect(await sendSigned(second.url, made, 'after the crash')).toBe(201);
    const after = await second.api<Next>(`messages/next?subscription=${made.id}&timeoutMs=10000`);
    expect(after.message).toMatchObject({
      plaintext: 'after the crash',
      decrypted: true,
      endpoint: made.subscription.endpoint,
    });
  }, 60_000);
}

describe('push-lab serve without --store', () => {
  it('without --store nothing is written: two serves never share a default store', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'push-lab-nostore-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const serves = [0, 1].map(() =>
      startCli(['serve', '--h2c', '--port', '0', '--subscriptions', '1', '--data', dataDir]),
    );
    for (const serve of serves) cleanups.push(() => serve.stop());
    // Both run, on the same data directory, each with its own subscription in memory.
    for (const serve of serves) await serve.waitFor(/"endpoint"/);
    for (const serve of serves) expect(await serve.stop()).toBe(0);
    expect(readdirSync(dataDir)).toEqual([]);
  }, 60_000);
});
