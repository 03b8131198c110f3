/**
 * RFC 8030 (with RFC 8292 VAPID) over real HTTP/2: one behaviour per test, each against its
 * own push service on port 0.
 */
import http2, { type ClientHttp2Session } from 'node:http2';
import webpush from 'web-push';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createEcKeyPair,
  createVapidKeys,
  encryptForSubscription,
  createUaKeys,
  signVapid,
} from '../../src/main/engine/crypto';
import type { PushServiceOptions } from '../../src/main/engine/push/service';
import {
  call,
  client,
  collectPushes,
  linkPath,
  startService,
  until,
  type Reply,
} from '../helpers/h2';

const REL_PUSH = 'urn:ietf:params:push';
const REL_SET = 'urn:ietf:params:push:set';
const REL_RECEIPT = 'urn:ietf:params:push:receipt';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function lab(options: Partial<PushServiceOptions> = {}) {
  const ctx = await startService(options);
  cleanup.push(() => ctx.service.stop());
  const connect = async (settings?: http2.Settings): Promise<ClientHttp2Session> => {
    const session = settings
      ? await new Promise<ClientHttp2Session>((resolve, reject) => {
          const s = http2.connect(ctx.service.url, { settings });
          s.once('error', reject);
          s.once('connect', () => resolve(s));
        })
      : await client(ctx.service.url);
    cleanup.push(() => session.destroy());
    return session;
  };
  const ua = await connect();
  const as = await connect();
  const subscribe = async (headers: Record<string, string> = {}, body?: string) => {
    const r = await call(ua, { ':method': 'POST', ':path': '/subscribe', ...headers }, body);
    return {
      reply: r,
      subPath: r.headers['location'] ? new URL(String(r.headers['location'])).pathname : '',
      pushPath: linkPath(r.headers, REL_PUSH) ?? '',
      setPath: linkPath(r.headers, REL_SET) ?? '',
    };
  };
  const send = (
    pushPath: string,
    headers: Record<string, string> = {},
    body: string | Buffer = 'm',
  ) => call(as, { ':method': 'POST', ':path': pushPath, ttl: '60', ...headers }, body);
  const kinds = () => ctx.events.map((e) => e.kind);
  return { ...ctx, ua, as, connect, subscribe, send, kinds, origin: ctx.service.url };
}

/** A held GET; resolves `status` when the service ends it. */
function hold(session: ClientHttp2Session, path: string, headers: Record<string, string> = {}) {
  const stream = session.request({ ':method': 'GET', ':path': path, ...headers });
  stream.on('error', () => {});
  let status = 0;
  stream.on('response', (h) => (status = Number(h[':status'])));
  stream.resume();
  const ended = new Promise<number>((resolve) => stream.on('close', () => resolve(status)));
  return { stream, ended };
}

function problemOf(reply: Reply): { status: number; detail: string } {
  expect(reply.headers['content-type']).toBe('application/problem+json');
  return JSON.parse(reply.body) as { status: number; detail: string };
}

const messagePathOf = (r: Reply) => new URL(String(r.headers['location'])).pathname;

describe('TTL (§5.2)', () => {
  it('keeps less than asked above --max-ttl and says so in a TTL response header', async () => {
    const l = await lab({ limits: { ttlSecondsMax: 3600 } });
    const s = await l.subscribe();
    const r = await l.send(s.pushPath, { ttl: '86400' });
    expect(r.status).toBe(201);
    expect(r.headers['ttl']).toBe('3600');
    expect((await l.send(s.pushPath, { ttl: '60' })).headers['ttl']).toBeUndefined();
  });

  it('clamps an overflowing TTL to 2^31 before the service maximum', async () => {
    const l = await lab({ limits: { ttlSecondsMax: 2 ** 32 } });
    const s = await l.subscribe();
    const r = await l.send(s.pushPath, { ttl: '99999999999999999999' });
    expect(r.headers['ttl']).toBe(String(2 ** 31));
  });

  it('refuses a TTL that is not digits, naming the header and value', async () => {
    const l = await lab();
    const s = await l.subscribe();
    const r = await l.send(s.pushPath, { ttl: '-5' });
    expect(r.status).toBe(400);
    expect(problemOf(r).detail).toBe(
      'TTL header: got "-5"; allowed one number of seconds (digits only)',
    );
  });

  it('expires TTL 0 at once when no user agent is connected, and delivers it to one that is', async () => {
    const l = await lab();
    const s = await l.subscribe();
    await l.send(s.pushPath, { ttl: '0' }, 'lost');
    expect(l.kinds()).toContain('message.expired');
    const pushes = collectPushes(l.ua);
    hold(l.ua, s.subPath);
    await until(() => l.service.core.byPushToken(s.pushPath.slice(6))!.monitors.size === 1);
    await l.send(s.pushPath, { ttl: '0' }, 'now');
    await until(() => pushes.length === 1);
    expect(pushes[0]!.body).toBe('now');
  });
});

describe('Urgency (§5.3)', () => {
  it('refuses an unknown or repeated Urgency with 400', async () => {
    const l = await lab();
    const s = await l.subscribe();
    expect(problemOf(await l.send(s.pushPath, { urgency: 'urgent' })).detail).toMatch(
      /Urgency header: got "urgent"; allowed very-low, low, normal, high/,
    );
    expect(problemOf(await l.send(s.pushPath, { urgency: 'low, high' })).detail).toMatch(
      /got 2 values/,
    );
  });

  it('delivers only what the monitor asks for and keeps the rest for a wider request', async () => {
    const l = await lab();
    const s = await l.subscribe();
    const pushes = collectPushes(l.ua);
    const picky = hold(l.ua, s.subPath, { urgency: 'high' });
    await l.send(s.pushPath, { urgency: 'low' }, 'low');
    await l.send(s.pushPath, { urgency: 'high' }, 'high');
    await until(() => pushes.length === 1);
    expect(pushes.map((p) => p.body)).toEqual(['high']);
    picky.stream.close();
    await picky.ended;
    const all = await call(l.ua, { ':method': 'GET', ':path': s.subPath, prefer: 'wait=0' });
    expect(all.status).toBe(200);
    await until(() => pushes.length >= 2);
    expect(pushes.map((p) => p.body)).toContain('low');
  });
});

describe('Topic (§5.4)', () => {
  it('refuses a topic of more than 32 base64url characters', async () => {
    const l = await lab();
    const s = await l.subscribe();
    const r = await l.send(s.pushPath, { topic: 'a'.repeat(33) });
    expect(problemOf(r).detail).toMatch(
      /Topic header: got "a{33}" \(33 characters\); allowed 1 to 32/,
    );
  });

  it('replaces an outstanding message with the same topic: only the newest is delivered', async () => {
    const l = await lab();
    const s = await l.subscribe();
    const old = await l.send(s.pushPath, { topic: 'score' }, '1-0');
    const fresh = await l.send(s.pushPath, { topic: 'score' }, '2-0');
    expect(fresh.status).toBe(201);
    expect(messagePathOf(fresh)).not.toBe(messagePathOf(old));
    const pushes = collectPushes(l.ua);
    const got = await call(l.ua, { ':method': 'GET', ':path': s.subPath, prefer: 'wait=0' });
    expect(got.status).toBe(200);
    await until(() => pushes.length === 1);
    expect(pushes[0]!.body).toBe('2-0');
    expect((await call(l.ua, { ':method': 'DELETE', ':path': messagePathOf(old) })).status).toBe(
      404,
    );
  });
});

describe('delivery and acknowledgement (§6)', () => {
  it('pushes with cache-control private, last-modified and the push Link, never Topic or Urgency', async () => {
    const l = await lab();
    const s = await l.subscribe();
    await l.send(s.pushPath, { urgency: 'high', topic: 't1', 'content-type': 'text/plain' }, 'hi');
    const pushes = collectPushes(l.ua);
    await call(l.ua, { ':method': 'GET', ':path': s.subPath, prefer: 'wait=0' });
    await until(() => pushes.length === 1);
    const h = pushes[0]!.headers;
    expect(h['cache-control']).toBe('private');
    expect(Date.parse(String(h['last-modified']))).not.toBeNaN();
    expect(linkPath(h, REL_PUSH)).toBe(s.pushPath);
    expect(h['content-type']).toBe('text/plain');
    expect(h['topic']).toBeUndefined();
    expect(h['urgency']).toBeUndefined();
  });

  it('delivers an unacknowledged message again to the next monitoring request', async () => {
    const l = await lab();
    const s = await l.subscribe();
    const first = await l.connect();
    const firstPushes = collectPushes(first);
    hold(first, s.subPath);
    await l.send(s.pushPath, {}, 'again');
    await until(() => firstPushes.length === 1);
    first.destroy(); // vanished before acknowledging
    const second = await l.connect();
    const secondPushes = collectPushes(second);
    hold(second, s.subPath);
    await until(() => secondPushes.length === 1);
    expect(secondPushes[0]!.path).toBe(firstPushes[0]!.path);
    expect(
      (await call(second, { ':method': 'DELETE', ':path': secondPushes[0]!.path })).status,
    ).toBe(204);
    const pushed = l.events.filter((e) => e.kind === 'message.pushed');
    expect(pushed.map((e) => (e.kind === 'message.pushed' ? e.attempt : 0))).toEqual([1, 2]);
  });

  it('refuses to monitor on a connection that disabled server push, keeping the message', async () => {
    const l = await lab();
    const s = await l.subscribe();
    await l.send(s.pushPath, {}, 'kept');
    const noPush = await l.connect({ enablePush: false });
    const r = await call(noPush, { ':method': 'GET', ':path': s.subPath });
    expect(problemOf(r).detail).toMatch(/server push enabled/);
    const pushes = collectPushes(l.ua);
    await call(l.ua, { ':method': 'GET', ':path': s.subPath, prefer: 'wait=0' });
    await until(() => pushes.length === 1);
    expect(pushes[0]!.body).toBe('kept');
  });
});

describe('receipts (§5.1, §6.3)', () => {
  it('answers respond-async with 202 and pushes 204 on ack, 410 on expiry, on the receipt subscription', async () => {
    const l = await lab();
    const s = await l.subscribe();
    const r = await l.send(s.pushPath, { prefer: 'respond-async' }, 'with receipt');
    expect(r.status).toBe(202);
    const receiptPath = linkPath(r.headers, REL_RECEIPT)!;
    expect(receiptPath).toMatch(/^\/receipt-subscription\/[A-Za-z0-9_-]{22,}$/);
    const receipts = collectPushes(l.as);
    hold(l.as, receiptPath);
    // Echoing the receipt subscription reuses it.
    const short = await l.send(
      s.pushPath,
      { prefer: 'respond-async', ttl: '1', link: `<${receiptPath}>; rel="${REL_RECEIPT}"` },
      'short',
    );
    expect(short.status).toBe(202);
    expect(linkPath(short.headers, REL_RECEIPT)).toBe(receiptPath);
    const pushes = collectPushes(l.ua);
    const ua = hold(l.ua, s.subPath, { urgency: 'high' }); // takes neither message (both normal)
    await call(l.ua, { ':method': 'DELETE', ':path': messagePathOf(r) });
    await until(() => receipts.length === 2, 5000);
    expect(receipts.map((p) => [p.path, p.headers[':status']])).toEqual([
      [messagePathOf(r), 204],
      [messagePathOf(short), 410],
    ]);
    expect(pushes).toHaveLength(0);
    ua.stream.close();
  });

  it('refuses a receipt Link this service never issued', async () => {
    const l = await lab();
    const s = await l.subscribe();
    const r = await l.send(s.pushPath, {
      prefer: 'respond-async',
      link: `</receipt-subscription/forged>; rel="${REL_RECEIPT}"`,
    });
    expect(r.status).toBe(400);
    expect(problemOf(r).detail).toMatch(/allowed a receipt subscription this service issued/);
  });

  it('deletes a receipt subscription: 204, then 404', async () => {
    const l = await lab();
    const s = await l.subscribe();
    const receiptPath = linkPath(
      (await l.send(s.pushPath, { prefer: 'respond-async' })).headers,
      REL_RECEIPT,
    )!;
    expect((await call(l.as, { ':method': 'DELETE', ':path': receiptPath })).status).toBe(204);
    expect((await call(l.as, { ':method': 'GET', ':path': receiptPath })).status).toBe(404);
  });
});

describe('subscription sets (§4.1, §6.1)', () => {
  it('returns a set, reuses an echoed one, refuses a forged one, and monitors all members with one GET', async () => {
    const l = await lab();
    const a = await l.subscribe();
    expect(a.setPath).toMatch(/^\/subscription-set\/[A-Za-z0-9_-]{22,}$/);
    const b = await l.subscribe({ link: `<${a.setPath}>; rel="${REL_SET}"` });
    expect(b.setPath).toBe(a.setPath);
    const forged = await l.subscribe({ link: `</subscription-set/forged>; rel="${REL_SET}"` });
    expect(forged.reply.status).toBe(400);
    const pushes = collectPushes(l.ua);
    hold(l.ua, a.setPath);
    await l.send(a.pushPath, {}, 'to a');
    await l.send(b.pushPath, {}, 'to b');
    await until(() => pushes.length === 2);
    const byLink = Object.fromEntries(pushes.map((p) => [linkPath(p.headers, REL_PUSH), p.body]));
    expect(byLink).toEqual({ [a.pushPath]: 'to a', [b.pushPath]: 'to b' });
  });

  it('deleting a set removes every member and ends its monitor with 404', async () => {
    const l = await lab();
    const a = await l.subscribe();
    const b = await l.subscribe({ link: `<${a.setPath}>; rel="${REL_SET}"` });
    const watcher = await l.connect();
    const held = hold(watcher, a.setPath);
    await until(() => l.service.core.setByToken(a.setPath.split('/').pop()!)!.monitors.size === 1);
    expect((await call(l.ua, { ':method': 'DELETE', ':path': a.setPath })).status).toBe(204);
    expect(await held.ended).toBe(404);
    expect((await l.send(a.pushPath)).status).toBe(404);
    expect((await l.send(b.pushPath)).status).toBe(404);
  });
});

describe('deletion and limits (§7)', () => {
  it('ends an outstanding GET with 404 when the subscription is deleted; later sends get 404', async () => {
    const l = await lab();
    const s = await l.subscribe();
    const watcher = await l.connect();
    const held = hold(watcher, s.subPath);
    await until(
      () => l.service.core.bySubscriptionToken(s.subPath.split('/').pop()!)!.monitors.size === 1,
    );
    expect((await call(l.ua, { ':method': 'DELETE', ':path': s.subPath })).status).toBe(204);
    expect(await held.ended).toBe(404);
    const r = await l.send(s.pushPath);
    expect(problemOf(r).status).toBe(404);
  });

  it('answers 429 with Retry-After past the per-subscription rate', async () => {
    const l = await lab({ limits: { sendsPerSecondPerSubscription: 2 } });
    const s = await l.subscribe();
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await l.send(s.pushPath)).status);
    expect(statuses).toEqual([201, 201, 429]);
    const r = await l.send(s.pushPath);
    expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(problemOf(r).detail).toMatch(/subscription rate: more than 2 messages a second/);
  });

  it('answers 429 when a subscription queue is full, keeping what it holds', async () => {
    const l = await lab({ limits: { queueCountMax: 2 } });
    const s = await l.subscribe();
    expect([(await l.send(s.pushPath)).status, (await l.send(s.pushPath)).status]).toEqual([
      201, 201,
    ]);
    const r = await l.send(s.pushPath);
    expect(r.status).toBe(429);
    expect(problemOf(r).detail).toMatch(/2 messages outstanding/);
    expect(l.kinds()).toContain('limit.reached');
  });

  it('answers unknown paths with 404 and wrong methods with 405 and Allow', async () => {
    const l = await lab();
    const s = await l.subscribe();
    expect((await call(l.as, { ':method': 'GET', ':path': '/nothing' })).status).toBe(404);
    const r = await call(l.as, { ':method': 'GET', ':path': s.pushPath });
    expect(r.status).toBe(405);
    expect(r.headers['allow']).toBe('POST');
  });
});

describe('VAPID restricted subscriptions (RFC 8292)', () => {
  async function restricted() {
    const l = await lab();
    const keys = createVapidKeys();
    const s = await l.subscribe(
      { 'content-type': 'application/webpush-options+json' },
      JSON.stringify({ vapid: keys.publicKeyB64u }),
    );
    expect(s.reply.status).toBe(201);
    const nowSeconds = Math.floor(Date.now() / 1000);
    const token = (
      over: Partial<{
        audience: string;
        expiresAtSeconds: number;
        privateKey: Buffer;
        publicKey: Buffer;
      }> = {},
    ) =>
      signVapid({
        audience: l.origin,
        subject: 'mailto:qa@example.com',
        expiresAtSeconds: nowSeconds + 3600,
        privateKey: keys.privateKey,
        publicKey: keys.publicKey,
        ...over,
      });
    return { ...l, s, keys, token, nowSeconds };
  }

  it('refuses a subscribe body whose key is not a P-256 point', async () => {
    const l = await lab();
    const r = await l.subscribe(
      { 'content-type': 'application/webpush-options+json' },
      '{"vapid":"AAAA"}',
    );
    expect(r.reply.status).toBe(400);
    expect(problemOf(r.reply).detail).toMatch(/^body\.vapid: /);
  });

  it('accepts a valid token and answers 401 without one', async () => {
    const v = await restricted();
    expect((await v.send(v.s.pushPath, { authorization: v.token() })).status).toBe(201);
    const r = await v.send(v.s.pushPath);
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe('vapid');
  });

  it('accepts the legacy draft scheme as web-push sends it with aesgcm (WebPush + Crypto-Key p256ecdsa), judged alike', async () => {
    const v = await restricted();
    const legacy = (privateKeyB64u: string) =>
      webpush.getVapidHeaders(
        v.origin,
        'mailto:qa@example.com',
        v.keys.publicKeyB64u,
        privateKeyB64u,
        'aesgcm',
      );
    const good = legacy(v.keys.privateKeyB64u);
    expect(good.Authorization).toMatch(/^WebPush /);
    const sent = await v.send(v.s.pushPath, {
      authorization: good.Authorization,
      'crypto-key': good['Crypto-Key']!,
    });
    expect(sent.status).toBe(201);
    // Without the Crypto-Key the draft's token names no key: refused, saying where it belongs.
    const keyless = await v.send(v.s.pushPath, { authorization: good.Authorization });
    expect(keyless.status).toBe(403);
    expect(problemOf(keyless).detail).toMatch(/legacy draft scheme.*missing k parameter/);
    // Signed with another key than the subscription's: refused like the RFC scheme.
    const other = legacy(createVapidKeys().privateKeyB64u);
    const forged = await v.send(v.s.pushPath, {
      authorization: other.Authorization,
      'crypto-key': good['Crypto-Key']!,
    });
    expect(forged.status).toBe(403);
  });

  it('answers 403 for another key, a wrong audience, an expired token or exp more than 24 h ahead', async () => {
    const v = await restricted();
    const other = createVapidKeys();
    const cases: [string, string][] = [
      [v.token({ privateKey: other.privateKey, publicKey: other.publicKey }), 'key-mismatch'],
      [v.token({ audience: 'https://push.example.net' }), 'aud-mismatch'],
      [v.token({ expiresAtSeconds: v.nowSeconds - 60 }), 'expired'],
      [v.token({ expiresAtSeconds: v.nowSeconds + 25 * 3600 }), 'exp-too-far'],
    ];
    for (const [authorization, reason] of cases) {
      const r = await v.send(v.s.pushPath, { authorization });
      expect(r.status).toBe(403);
      expect(problemOf(r).detail).toContain(`(${reason})`);
    }
  });

  it('refuses (400) a message encrypted with the signing key', async () => {
    const v = await restricted();
    const ua = createUaKeys();
    const body = encryptForSubscription({
      plaintext: Buffer.from('x'),
      uaPublic: ua.publicKey,
      authSecret: ua.authSecret,
      asKeyPair: { publicKey: v.keys.publicKey, privateKey: v.keys.privateKey },
    });
    const r = await v.send(
      v.s.pushPath,
      { authorization: v.token(), 'content-encoding': 'aes128gcm' },
      body,
    );
    expect(r.status).toBe(400);
    const fine = encryptForSubscription({
      plaintext: Buffer.from('x'),
      uaPublic: ua.publicKey,
      authSecret: ua.authSecret,
      asKeyPair: createEcKeyPair(),
    });
    expect(
      (
        await v.send(
          v.s.pushPath,
          { authorization: v.token(), 'content-encoding': 'aes128gcm' },
          fine,
        )
      ).status,
    ).toBe(201);
  });
});
