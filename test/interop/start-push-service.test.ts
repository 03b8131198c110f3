/**
 * `startPushService` beyond the README's example: h2c, its options refused with a sentence
 * naming the option, nextMessage's per-subscription order and its timeout, unsubscribe and
 * reset — the same ServeLab serve's control API drives.
 */
import webpush from 'web-push';
import https from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { startPushService, type RunningPushService } from 'push-lab';
import { call, client } from '../helpers/h2';

const running: RunningPushService[] = [];
afterEach(async () => {
  for (const push of running.splice(0)) await push.close();
});

async function start(options: Parameters<typeof startPushService>[0] = {}) {
  const push = await startPushService(options);
  running.push(push);
  return push;
}

describe('startPushService', () => {
  it('serves h2c on request: an HTTP/2 sender posts, the built-in user agent receives', async () => {
    const push = await start({ tls: false, subscriptions: 2 });
    expect(push.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(push.ca).toBeNull();
    expect(push.subscriptions).toHaveLength(2);
    const second = push.subscriptions[1]!;
    const session = await client(push.url);
    try {
      const reply = await call(
        session,
        { ':method': 'POST', ':path': new URL(second.endpoint).pathname, ttl: '60' },
        'not encrypted',
      );
      expect(reply.status).toBe(201);
    } finally {
      session.close();
    }
    const message = await push.nextMessage({ subscription: second });
    expect(message).toMatchObject({ plaintext: 'not encrypted', decrypted: false });
    expect(message.subscription).toBe(second.id);
  });

  it("answers as a provider with `quirks`: an expired subscription gets autopush's 410 errno 103", async () => {
    const push = await start({ tls: false, quirks: 'autopush' });
    const [sub] = push.subscriptions;
    push.expire(sub!);
    const session = await client(push.url);
    try {
      const reply = await call(
        session,
        { ':method': 'POST', ':path': new URL(sub!.endpoint).pathname, ttl: '60' },
        'late',
      );
      expect(reply.status).toBe(410);
      expect(JSON.parse(reply.body)).toMatchObject({ code: 410, errno: 103 });
    } finally {
      session.close();
    }
    await expect(
      start({ profile: 'draft-thomson', subscriptions: 0, quirks: 'fcm' }),
    ).rejects.toThrow(
      /options\.quirks fcm: provider quirks apply over options\.profile rfc8030 only \(got draft-thomson\)/,
    );
  });

  it('holds back what its urgency filter does not want (`urgencyMin`), delivers what it does', async () => {
    const push = await start({ tls: false, urgencyMin: 'high' });
    const [sub] = push.subscriptions;
    const session = await client(push.url);
    try {
      const post = (urgency: string, text: string) =>
        call(
          session,
          { ':method': 'POST', ':path': new URL(sub!.endpoint).pathname, ttl: '60', urgency },
          text,
        );
      expect((await post('normal', 'later')).status).toBe(201);
      await expect(push.nextMessage({ timeoutMs: 300 })).rejects.toThrow(/no new message/);
      expect((await post('high', 'now')).status).toBe(201);
      expect((await push.nextMessage()).plaintext).toBe('now');
    } finally {
      session.close();
    }
  });

  it('speaks the 2015 drafts too: its built-in user agent subscribes and receives under draft-thomson and draft-damaggio', async () => {
    const sends = {
      // draft-thomson §A: PUT the body to the push resource (200: accepted).
      'draft-thomson': { method: 'PUT', body: 'hello, thomson', status: 200 },
      // draft-damaggio: POST a JSON envelope with the message and its time_to_live.
      'draft-damaggio': {
        method: 'POST',
        body: JSON.stringify({ message: { data: 'hello, damaggio' }, time_to_live: 60 }),
        status: 201,
      },
    } as const;
    for (const [profile, { method, body, status }] of Object.entries(sends)) {
      const push = await start({ tls: false, profile: profile as keyof typeof sends });
      const [sub] = push.subscriptions;
      const session = await client(push.url);
      try {
        const reply = await call(
          session,
          {
            ':method': method,
            ':path': new URL(sub!.endpoint).pathname,
            'content-type': 'application/json',
          },
          body,
        );
        expect(reply.status, profile).toBe(status);
      } finally {
        session.close();
      }
      expect((await push.nextMessage()).plaintext, profile).toBe(
        profile === 'draft-thomson' ? 'hello, thomson' : 'hello, damaggio',
      );
    }
  });

  it('returns each message once, oldest first, and rejects naming the wait when none comes', async () => {
    const push = await start();
    const agent = new https.Agent({ ca: push.ca! });
    try {
      const [sub] = push.subscriptions;
      for (const text of ['one', 'two'])
        await webpush.sendNotification(sub!, text, { TTL: 60, agent });
      expect((await push.nextMessage()).plaintext).toBe('one');
      expect((await push.nextMessage()).plaintext).toBe('two');
      await expect(push.nextMessage({ timeoutMs: 100 })).rejects.toThrow(
        /nextMessage: no new message within 100 ms \(timeoutMs; at most 60000\); 2 kept, all returned already/,
      );
      expect(push.messages().map((m) => m.plaintext)).toEqual(['one', 'two']);
      push.reset();
      expect(push.messages()).toEqual([]);
    } finally {
      agent.destroy();
    }
  });

  it('unsubscribes: the subscription leaves the list and its sender gets 404', async () => {
    const push = await start();
    const agent = new https.Agent({ ca: push.ca! });
    try {
      const sub = await push.subscribe();
      expect(push.subscriptions.map((s) => s.id)).toContain(sub.id);
      await push.unsubscribe(sub);
      expect(push.subscriptions.map((s) => s.id)).not.toContain(sub.id);
      await expect(webpush.sendNotification(sub, 'x', { TTL: 60, agent })).rejects.toMatchObject({
        statusCode: 404,
      });
      await expect(push.unsubscribe(sub)).rejects.toThrow(
        `subscription ${sub.id}: already unsubscribed`,
      );
    } finally {
      agent.destroy();
    }
  });

  it("puts faults on the built-in user agents' link, changed live with setFaults", async () => {
    const push = await start({ tls: false });
    push.setFaults([{ type: 'latency', stream: 'downstream', attributes: { latency: 300 } }]);
    const [sub] = push.subscriptions;
    const session = await client(push.url);
    try {
      const sentAt = Date.now();
      const reply = await call(
        session,
        { ':method': 'POST', ':path': new URL(sub!.endpoint).pathname, ttl: '60' },
        'slow',
      );
      expect(reply.status).toBe(201);
      expect((await push.nextMessage()).plaintext).toBe('slow');
      // The push crossed the link's downstream latency on its way to the user agent.
      expect(Date.now() - sentAt).toBeGreaterThanOrEqual(300);
    } finally {
      session.close();
    }
    expect(() => push.setFaults([{ type: 'jitterbug' }])).toThrow(
      /^setFaults: \[0\]\.type: unknown value \(got "jitterbug", allowed latency, /,
    );
  });

  it('refuses bad options with a sentence naming the option, the value and what is allowed', async () => {
    const cases: [unknown, RegExp][] = [
      [{ port: 70000 }, /^options\.port: got 70000; /],
      [{ prot: 1 }, /^options: unknown field\(s\) prot; allowed port, host, tls, profile/],
      [
        { limits: { queueMax: 1 } },
        /^options\.limits: unknown field\(s\) queueMax; allowed ttlSecondsMax/,
      ],
      [{ battery: 2 }, /^options\.battery: got 2; /],
      [
        { profile: 'draft-thomson', vapidKey: webpush.generateVAPIDKeys().publicKey },
        /^options\.vapidKey: options\.profile draft-thomson predates VAPID \(RFC 8292\); allowed with rfc8030/,
      ],
      [{ vapidKey: 'abc' }, /^options\.vapidKey: .*allowed the application server's public key/],
      [
        { faults: [{ type: 'latency', attributes: { latancy: 3 } }] },
        /^options\.faults: .*attributes\.latancy: unknown field \(got 3, allowed latency, jitter\)/,
      ],
    ];
    for (const [options, message] of cases)
      await expect(
        startPushService(options as Parameters<typeof startPushService>[0]),
      ).rejects.toThrow(message);
  });
});
