/**
 * The simulated user agent and application server speak each profile against a real push
 * service over node:http2 (in process, port 0): subscribe, send, receive, decrypt, and
 * acknowledge where the profile has acknowledgements; receipts where it has them. Plus the
 * strategies' own choices (push/profiles/<name>/client.ts) on hand-made input.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LabEvent, Profile } from '../../src/shared/events';
import { AppServer, encode } from '../../src/main/engine/agents/app-server';
import { ClientProfileError } from '../../src/main/engine/push/profiles/client-common';
import { draftDamaggioClient } from '../../src/main/engine/push/profiles/draft-damaggio/client';
import { draftThomsonClient } from '../../src/main/engine/push/profiles/draft-thomson/client';
import { clientProfile } from '../../src/main/engine/push/profiles/registry';
import { rfc8030Client } from '../../src/main/engine/push/profiles/rfc8030/client';
import { UserAgent, type ReceivedMessage } from '../../src/main/engine/agents/user-agent';
import { createUaKeys } from '../../src/main/engine/crypto';
import { Rng } from '../../src/main/engine/rng/rng';
import { startService, until } from '../helpers/h2';

const open: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.stop();
});

async function setup(profile: Profile) {
  const { service, events, bus, clock } = await startService({ profile });
  open.push(service);
  const received: ReceivedMessage[] = [];
  const ua = new UserAgent(
    {
      agentId: 'ua1',
      serviceUrl: service.url,
      serviceId: service.id,
      subscribePath: new URL(service.subscribeUrl).pathname,
      profile: service.profileName,
      identify: (path) => service.identify(path),
      identifySubscription: (url) => service.identifySubscription(url),
      identifyLatest: (url, body) => service.identifyLatest(url, body),
      onMessage: (m) => {
        received.push(m);
      },
    },
    clock,
    bus,
    new Rng(1),
  );
  open.push(ua);
  const as = new AppServer(
    {
      id: 'as1',
      profile: service.profileName,
      vapid: true,
      identify: (path) => service.identify(path),
    },
    clock,
    bus,
  );
  open.push(as);
  await ua.start(2);
  return { service, events, ua, as, received };
}

const ofKind = <K extends LabEvent['kind']>(events: LabEvent[], kind: K) =>
  events.filter((e): e is Extract<LabEvent, { kind: K }> => e.kind === kind);

const PROFILES: Profile[] = ['rfc8030', 'draft-thomson', 'draft-damaggio'];

describe.each(PROFILES)('the simulated agents speak %s to a real push service', (profile) => {
  it('subscribe, send, receive, decrypt; ack and receipts as the profile has them', async () => {
    const { service, events, ua, as, received } = await setup(profile);
    expect(ua.subscriptions).toHaveLength(2);
    const [a, b] = ua.subscriptions as [(typeof ua.subscriptions)[0], (typeof ua.subscriptions)[0]];
    for (const sub of ua.subscriptions) expect(sub.id).toMatch(/^ps1\.s\d+$/);
    if (profile === 'rfc8030') {
      expect(a.url).not.toBe(a.pushUrl); // private subscription, public push resource
    } else {
      expect(a.url).toBe(a.pushUrl); // one URI for both sides
      expect(new URL(a.url).pathname).toMatch(/^\/p\/[A-Za-z0-9_-]+$/);
    }
    if (profile === 'draft-thomson') {
      expect(a.registrationUrl).toMatch(/\/monitor\/[A-Za-z0-9_-]+$/);
      expect(b.registrationUrl).toBe(a.registrationUrl); // registered once
    } else {
      expect(a.registrationUrl).toBeNull();
    }

    const send = (sub: typeof a, text: string) =>
      as.deliver({
        pushUrl: sub.pushUrl,
        keys: sub.keys,
        text,
        ttlSeconds: 600,
        urgency: 'high',
        topic: null,
        receipt: true,
        subscriptionId: sub.id,
      });
    const first = await send(a, 'hello from the application server');
    expect(first?.status).toBe(
      { rfc8030: 202, 'draft-thomson': 200, 'draft-damaggio': 201 }[profile],
    );
    await until(() => received.length === 1);
    const second = await send(b, 'and to the second subscription');
    expect(second?.status).toBeLessThan(300);
    await until(() => received.length === 2);

    expect(received.map((m) => m.plaintext?.toString())).toEqual([
      'hello from the application server',
      'and to the second subscription',
    ]);
    expect(received.map((m) => m.subscription)).toEqual([a, b]);
    const accepted = ofKind(events, 'message.accepted');
    expect(accepted).toHaveLength(2);
    // The lab names every received message, whatever the promised path says.
    await until(() => ofKind(events, 'message.received').length === 2);
    const got = ofKind(events, 'message.received');
    expect(got.map((e) => e.messageId)).toEqual(accepted.map((e) => e.messageId));
    expect(got.map((e) => e.decryption)).toEqual(['ok', 'ok']);
    expect(got.every((e) => !e.duplicate)).toBe(true);

    // Acknowledgement: a DELETE of the message URI (message.acked follows), or none at all.
    await until(() => ofKind(events, 'message.acked').length === 2);
    const acknowledging = ofKind(events, 'message.acknowledging');
    if (profile === 'draft-thomson') {
      // Pushed = delivered (the service finishes it); a DELETE of the promised path would
      // have deleted the subscription.
      expect(acknowledging).toHaveLength(0);
      expect(received.map((m) => m.messagePath)).toEqual(
        [a, b].map((s) => new URL(s.url).pathname),
      );
      expect(new Set(received.map((m) => m.messageKey)).size).toBe(2);
    } else {
      expect(acknowledging).toHaveLength(2);
      for (const m of received) expect(m.messageKey).toBe(m.messagePath);
    }
    expect(ofKind(events, 'subscription.deleted')).toHaveLength(0);

    // Receipts: pushed on a held GET (RFC 8030: 204 / 410; damaggio: 204 / 504), or none.
    if (profile === 'draft-thomson') {
      await new Promise((r) => setTimeout(r, 100));
      expect(ofKind(events, 'receipt.received')).toHaveLength(0);
      expect(ofKind(events, 'receipt.sent')).toHaveLength(0);
    } else {
      await until(() => ofKind(events, 'receipt.received').length === 2);
      const receipts = ofKind(events, 'receipt.received');
      expect(receipts.map((r) => r.status)).toEqual([204, 204]);
      expect(receipts.map((r) => r.messageId).sort()).toEqual(
        accepted.map((e) => e.messageId).sort(),
      );
    }

    // What each profile kept of the directives (TTL 600 s, urgency high, receipt).
    const limits = service.core.limits;
    expect(accepted.map((e) => [e.ttlSeconds, e.urgency, e.receiptRequested])).toEqual(
      {
        rfc8030: [
          [600, 'high', true],
          [600, 'high', true],
        ],
        'draft-thomson': [
          [limits.ttlSecondsMax, 'normal', false],
          [limits.ttlSecondsMax, 'normal', false],
        ],
        'draft-damaggio': [
          [600, 'normal', true],
          [600, 'normal', true],
        ],
      }[profile],
    );
    // Every send names its message in send.attempted, except thomson's 200 (no Location).
    const attempts = ofKind(events, 'send.attempted');
    expect(attempts.map((e) => e.messageId)).toEqual(
      profile === 'draft-thomson' ? [null, null] : accepted.map((e) => e.messageId),
    );
  }, 20_000);
});

describe('client profile strategies', () => {
  const keys = createUaKeys();
  const url = new URL('http://push.example/p/abc');
  const base = {
    url,
    ttlSeconds: 60,
    urgency: 'low' as const,
    topic: 'news',
    receipt: true,
    ...encode(keys, 'hi'),
    authorization: { authorization: 'vapid t=x, k=y' },
    extraHeaders: {},
    receiptUrl: 'http://push.example/receipt-subscription/r',
  };

  it('RFC 8030 sends the headers and the raw aes128gcm body', () => {
    const req = rfc8030Client.buildSend(base);
    expect(req).toMatchObject({ method: 'POST', path: '/p/abc' });
    expect(req.headers).toEqual({
      ttl: '60',
      'content-encoding': 'aes128gcm',
      authorization: 'vapid t=x, k=y',
      urgency: 'low',
      topic: 'news',
      prefer: 'respond-async',
      link: '</receipt-subscription/r>; rel="urn:ietf:params:push:receipt"',
    });
    expect(req.body).toBe(base.body);
  });

  it('draft-thomson PUTs the body alone: TTL, urgency, topic, receipt and VAPID are dropped', () => {
    const req = draftThomsonClient.buildSend(base);
    expect(req).toEqual({
      method: 'PUT',
      path: '/p/abc',
      headers: { 'content-encoding': 'aes128gcm' },
      body: base.body,
    });
    expect(draftThomsonClient.readSendAnswer(200, {}, 'http://push.example')).toEqual({
      accepted: true,
      messagePath: null,
      receiptUrl: null,
    });
    expect(draftThomsonClient.acks).toBe(false);
  });

  it('draft-damaggio wraps the encrypted payload as base64url in the envelope and unwraps it', () => {
    const req = draftDamaggioClient.buildSend(base);
    expect(req).toMatchObject({
      method: 'POST',
      path: '/p/abc',
      headers: { 'content-type': 'application/json' },
    });
    const envelope = JSON.parse(req.body!.toString()) as Record<string, unknown>;
    expect(envelope).toEqual({
      message: { encoding: 'aes128gcm', data: base.body.toString('base64url') },
      time_to_live: 60,
      request_receipt: true,
    });
    // What the service pushes is the `message` object serialized.
    const pushed = Buffer.from(JSON.stringify(envelope['message']));
    expect(draftDamaggioClient.decode(pushed, {})).toEqual({
      payload: base.body,
      encoding: 'aes128gcm',
    });
    const plain = draftDamaggioClient.buildSend({ ...base, ...encode(null, 'Hello World') });
    expect(JSON.parse(plain.body!.toString())['message']).toEqual({ data: 'Hello World' });
    expect(
      draftDamaggioClient.readSendAnswer(
        201,
        {
          location: 'http://push.example/p/abc/m1',
          link: '</r/t>; rel="urn:ietf:params:push:receipt"',
        },
        'http://push.example',
      ),
    ).toEqual({ accepted: true, messagePath: '/p/abc/m1', receiptUrl: 'http://push.example/r/t' });
  });

  it('refuses what a profile cannot express or read, with the reason', () => {
    expect(() => draftDamaggioClient.buildSend({ ...base, ttlSeconds: 1.5 })).toThrow(
      /time_to_live: got 1\.5; allowed a whole number of seconds/,
    );
    expect(() => draftDamaggioClient.decode(Buffer.from('not json'), {})).toThrow(
      ClientProfileError,
    );
    expect(() => draftDamaggioClient.decode(Buffer.from('{"data": 3}'), {})).toThrow(
      /"data" is number/,
    );
    expect(() =>
      draftDamaggioClient.decode(Buffer.from('{"data": "a+b=", "encoding": "aes128gcm"}'), {}),
    ).toThrow(/not canonical unpadded base64url/);
    expect(() =>
      draftDamaggioClient.decode(Buffer.from('{"data": "x", "encoding": "gzip"}'), {}),
    ).toThrow(/"encoding" is "gzip"/);
    expect(() => clientProfile('draft-other' as Profile)).toThrow(
      /profile: got "draft-other"; allowed rfc8030, draft-thomson, draft-damaggio/,
    );
    const ctx = { serviceUrl: 'http://push.example', subscribePath: '/register', setUrl: null };
    expect(() => draftThomsonClient.subscribe({ ...ctx, registration: null })).toThrow(
      /register first/,
    );
    const register = draftThomsonClient.register({ ...ctx, registration: null })!;
    expect(() => register.read({ status: 500, headers: {}, body: Buffer.from('boom') })).toThrow(
      /register: push service answered 500 boom \(expected 201 with a Location/,
    );
  });

  it('monitors what each profile aggregates and names pushes as each promises them', () => {
    const sub = (n: number, reg: string | null, set: string | null = null) => ({
      url: `http://p/s${n}`,
      pushUrl: `http://p/push${n}`,
      setUrl: set,
      registrationUrl: reg,
    });
    const subs = [sub(1, 'http://p/monitor/r', 'http://p/set'), sub(2, 'http://p/monitor/r')];
    expect(draftThomsonClient.monitorTargets({ subscriptions: subs, monitorSet: false })).toEqual([
      'http://p/monitor/r',
    ]);
    expect(draftDamaggioClient.monitorTargets({ subscriptions: subs, monitorSet: true })).toEqual([
      'http://p/s1',
      'http://p/s2',
    ]);
    expect(rfc8030Client.monitorTargets({ subscriptions: subs, monitorSet: true })).toEqual([
      'http://p/set',
    ]);
    expect(rfc8030Client.monitorTargets({ subscriptions: subs, monitorSet: false })).toEqual([
      'http://p/s1',
      'http://p/s2',
    ]);
    const ua = { serviceUrl: 'http://p', subscriptions: [sub(1, null), sub(2, null)] };
    expect(draftDamaggioClient.identifyPush({ ':path': '/s2/m9' }, {}, ua)).toEqual({
      promisedPath: '/s2/m9',
      messagePath: '/s2/m9',
      subscription: ua.subscriptions[1],
    });
    expect(draftThomsonClient.identifyPush({ ':path': '/s1' }, {}, ua)).toEqual({
      promisedPath: '/s1',
      messagePath: null,
      subscription: ua.subscriptions[0],
    });
    expect(
      draftDamaggioClient.identifyPush({ ':path': '/elsewhere/m' }, {}, ua).subscription,
    ).toBeNull();
    const link = { link: '<http://p/push2>; rel="urn:ietf:params:push"' };
    expect(rfc8030Client.identifyPush({ ':path': '/message/m' }, link, ua).subscription).toBe(
      ua.subscriptions[1],
    );
  });
});
