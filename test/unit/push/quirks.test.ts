/**
 * Provider quirk overlays (push/quirks/), each documented rule on the virtual clock over real
 * HTTP/2: TTL caps, payload limits, the status and body for a deleted or unknown push
 * resource, VAPID strictness and the headers each provider returns. docs/profiles.md
 * ("Provider quirks") cites the source of each.
 */
import type { ClientHttp2Session, IncomingHttpHeaders } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabEvent } from '../../../src/shared/events';
import { VirtualClock } from '../../../src/main/engine/clock/virtual';
import { createVapidKeys, signVapid } from '../../../src/main/engine/crypto/vapid';
import { QuirkSession } from '../../../src/main/engine/push/quirks';
import type { PushServiceOptions } from '../../../src/main/engine/push/service';
import { REL_PUSH } from '../../../src/main/engine/push/http';
import { validateScenario } from '../../../src/main/engine/scenario/load';
import { runScenario } from '../../../src/main/engine/scenario/run';
import { call, client, linkPath, startService, type Reply } from '../../helpers/h2';

const START_MS = 1_767_225_600_000;
const DAY_SECONDS = 86_400;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const closable of open.splice(0)) await closable.close();
});

async function lab(options: Partial<PushServiceOptions>) {
  const clock = new VirtualClock(START_MS);
  const started = await startService(options, clock);
  const session = await client(started.service.url);
  open.push({ close: () => started.service.stop() }, { close: () => session.close() });
  return { ...started, session, clock };
}

/** A subscription: its own path (DELETE unsubscribes) and its push path (POST sends). */
async function subscribe(session: ClientHttp2Session) {
  const reply = await call(session, { ':method': 'POST', ':path': '/subscribe' });
  expect(reply.status).toBe(201);
  return {
    own: new URL(String(reply.headers['location'])).pathname,
    push: linkPath(reply.headers, REL_PUSH)!,
  };
}

function send(
  session: ClientHttp2Session,
  path: string,
  headers: Record<string, string> = {},
  body = 'hello',
): Promise<Reply> {
  return call(session, { ':method': 'POST', ':path': path, ttl: '60', ...headers }, body);
}

const keys = createVapidKeys();

/** A VAPID header for the service at `url`, signed on the lab clock. */
function vapid(url: string, clock: VirtualClock, claims: { sub?: string; expIn?: number } = {}) {
  return signVapid({
    audience: url,
    ...('sub' in claims
      ? claims.sub === undefined
        ? {}
        : { subject: claims.sub }
      : {
          subject: 'mailto:ops@example.com',
        }),
    expiresAtSeconds: Math.floor(clock.now() / 1000) + (claims.expIn ?? 3600),
    privateKey: keys.privateKey,
    publicKey: keys.publicKey,
  });
}

const json = (reply: Reply): Record<string, unknown> => JSON.parse(reply.body) as never;
const type = (headers: IncomingHttpHeaders) => String(headers['content-type']);

describe('autopush overlay', () => {
  it('lowers a TTL over 30 days to 2,592,000 s, echoes the TTL kept on every 201, and the message expires at the cap', async () => {
    // Idle subscriptions are kept: the default idle expiry (30 days) would end it at the same time.
    const { session, events, clock } = await lab({
      quirks: 'autopush',
      limits: { subscriptionIdleSecondsMax: 0 },
    });
    const sub = await subscribe(session);
    const asked = await send(session, sub.push, { ttl: '60' });
    expect(asked.status).toBe(201);
    expect(asked.headers['ttl']).toBe('60'); // echoed even when unchanged
    const capped = await send(session, sub.push, { ttl: '5000000' });
    expect(capped.headers['ttl']).toBe('2592000');
    const accepted = events.filter((e) => e.kind === 'message.accepted');
    expect(accepted.at(-1)).toMatchObject({
      ttlSeconds: 2_592_000,
      ttlRequestedSeconds: 5_000_000,
    });
    clock.advance(2_592_000 * 1000 - 1);
    const id = (accepted.at(-1) as { messageId: string }).messageId;
    expect(events.some((e) => e.kind === 'message.expired' && e.messageId === id)).toBe(false);
    clock.advance(1);
    expect(events.some((e) => e.kind === 'message.expired' && e.messageId === id)).toBe(true);
  });

  it('answers 201 without a receipt subscription when the sender asks for one (autopush has no receipts)', async () => {
    const { session, service } = await lab({ quirks: 'autopush' });
    const sub = await subscribe(session);
    const reply = await send(session, sub.push, { prefer: 'respond-async' });
    expect(reply.status).toBe(201);
    expect(reply.headers['link']).toBeUndefined();
    expect(service.core.stats().receiptSubscriptions).toBe(0);
  });

  it('answers refusals with its errno JSON body: 111 missing TTL, 112 bad TTL, 113 bad Topic, 104 too large', async () => {
    const { session, events } = await lab({ quirks: 'autopush' });
    const sub = await subscribe(session);
    const missing = await call(session, { ':method': 'POST', ':path': sub.push }, 'x');
    const badTtl = await send(session, sub.push, { ttl: 'soon' });
    const badTopic = await send(session, sub.push, { topic: 'no spaces allowed' });
    const tooLarge = await send(session, sub.push, {}, 'x'.repeat(4097));
    for (const [reply, status, errno] of [
      [missing, 400, 111],
      [badTtl, 400, 112],
      [badTopic, 400, 113],
      [tooLarge, 413, 104],
    ] as const) {
      expect(reply.status).toBe(status);
      expect(type(reply.headers)).toBe('application/json');
      expect(json(reply)).toMatchObject({
        code: status,
        errno,
        more_info: 'http://autopush.readthedocs.io/en/latest/http.html#error-codes',
      });
    }
    expect(json(badTtl)['message']).toMatch(/TTL header: got "soon"/);
    const rejected = events.filter((e) => e.kind === 'message.rejected');
    expect(rejected).toHaveLength(4);
    expect(rejected.every((e) => /\[autopush quirk: errno 1\d\d/.test(e.detail))).toBe(true);
  });

  it('answers 404 errno 102 for a push resource never issued and 410 errno 103 once it was deleted', async () => {
    const { session, events } = await lab({ quirks: 'autopush' });
    const never = await send(session, '/push/never-issued');
    expect(never.status).toBe(404);
    expect(json(never)).toMatchObject({ code: 404, errno: 102, error: 'Not Found' });
    const sub = await subscribe(session);
    expect((await call(session, { ':method': 'DELETE', ':path': sub.own })).status).toBe(204);
    const gone = await send(session, sub.push);
    expect(gone.status).toBe(410);
    expect(json(gone)).toMatchObject({ code: 410, errno: 103, error: 'Gone' });
    expect(events.filter((e) => e.kind === 'message.rejected').map((e) => e.status)).toEqual([
      404, 410,
    ]);
  });

  it('takes VAPID as optional but, when given, wants sub as a mailto: or https: contact (401 errno 109)', async () => {
    const { session, service, clock } = await lab({ quirks: 'autopush' });
    const sub = await subscribe(session);
    expect((await send(session, sub.push)).status).toBe(201);
    const good = vapid(service.url, clock);
    expect((await send(session, sub.push, { authorization: good })).status).toBe(201);
    const noContact = vapid(service.url, clock, { sub: 'ops@example.com' });
    const refused = await send(session, sub.push, { authorization: noContact });
    expect(refused.status).toBe(401);
    expect(json(refused)).toMatchObject({ errno: 109 });
    expect(json(refused)['message']).toMatch(/sub: got "ops@example.com"; allowed a mailto:/);
    const none = vapid(service.url, clock, { sub: undefined });
    expect((await send(session, sub.push, { authorization: none })).status).toBe(401);
  });
});

describe('fcm overlay', () => {
  it('keeps a TTL of at most 2,419,200 s (28 days) and refuses bodies over 4096 bytes', async () => {
    const { session, events } = await lab({ quirks: 'fcm', limits: { ttlSecondsMax: 2 ** 31 } });
    const sub = await subscribe(session);
    const capped = await send(session, sub.push, { ttl: String(40 * DAY_SECONDS) });
    // Explicit limits win over the overlay's: the scenario or flag asked for 2^31.
    expect(capped.headers['ttl']).toBeUndefined();
    const { session: s2, events: e2 } = await lab({ quirks: 'fcm' });
    const sub2 = await subscribe(s2);
    const reply = await send(s2, sub2.push, { ttl: String(40 * DAY_SECONDS) });
    expect(reply.status).toBe(201);
    expect(reply.headers['ttl']).toBe('2419200');
    expect(e2.find((e) => e.kind === 'message.accepted')).toMatchObject({ ttlSeconds: 2_419_200 });
    expect((await send(s2, sub2.push, {}, 'x'.repeat(4097))).status).toBe(413);
    expect((await send(s2, sub2.push, {}, 'x'.repeat(4096))).status).toBe(201);
    expect(events.find((e) => e.kind === 'message.accepted')).toMatchObject({
      ttlSeconds: 40 * DAY_SECONDS,
    });
  });

  it('answers 410 with its plain-text body for an unsubscribed endpoint', async () => {
    const { session, events } = await lab({ quirks: 'fcm' });
    const sub = await subscribe(session);
    await call(session, { ':method': 'DELETE', ':path': sub.own });
    const gone = await send(session, sub.push);
    expect(gone.status).toBe(410);
    expect(type(gone.headers)).toBe('text/plain; charset=utf-8');
    expect(gone.body).toBe('push subscription has unsubscribed or expired.\n');
    expect(events.find((e) => e.kind === 'message.rejected')).toMatchObject({
      status: 410,
      detail: expect.stringContaining('[fcm quirk: 410 for an unsubscribed endpoint]'),
    });
  });

  it('answers 404 for a stale endpoint (expired by the service) and for one never issued', async () => {
    const { session, clock } = await lab({
      quirks: 'fcm',
      limits: { subscriptionIdleSecondsMax: 60 },
    });
    const sub = await subscribe(session);
    clock.advance(61_000);
    const stale = await send(session, sub.push);
    expect(stale.status).toBe(404);
    expect(stale.body).toMatch(/^A valid push subscription endpoint should be specified/);
    const never = await send(session, '/push/never-issued');
    expect(never.status).toBe(404);
    expect(never.body).toBe(stale.body);
  });
});

describe('apple overlay', () => {
  it('accepts a VAPID-signed send with a contact sub and returns an apns-id (its own, or the one sent)', async () => {
    const { session, service, clock } = await lab({ quirks: 'apple' });
    const sub = await subscribe(session);
    const reply = await send(session, sub.push, { authorization: vapid(service.url, clock) });
    expect(reply.status).toBe(201);
    expect(String(reply.headers['apns-id'])).toMatch(UUID);
    const mine = '123e4567-e89b-12d3-a456-426614174000';
    const echoed = await send(session, sub.push, {
      authorization: vapid(service.url, clock),
      'apns-id': mine,
    });
    expect(echoed.headers['apns-id']).toBe(mine);
    const bad = await send(session, sub.push, {
      authorization: vapid(service.url, clock),
      'apns-id': 'not-a-uuid',
    });
    expect(bad.status).toBe(400);
    expect(json(bad)).toEqual({ reason: 'BadMessageId' });
    // A refusal Apple words as RFC 8030 does still carries an apns-id.
    const noTtl = await call(
      session,
      { ':method': 'POST', ':path': sub.push, authorization: vapid(service.url, clock) },
      'x',
    );
    expect(noTtl.status).toBe(400);
    expect(type(noTtl.headers)).toBe('application/problem+json');
    expect(String(noTtl.headers['apns-id'])).toMatch(UUID);
  });

  it('answers 403 {"reason":"BadJwtToken"} without VAPID, with a sub that is no contact, or with exp over a day ahead', async () => {
    const { session, service, clock, events } = await lab({ quirks: 'apple' });
    const sub = await subscribe(session);
    const cases: Record<string, string>[] = [
      {},
      { authorization: vapid(service.url, clock, { sub: 'ops' }) },
      { authorization: vapid(service.url, clock, { sub: undefined }) },
      { authorization: vapid(service.url, clock, { expIn: DAY_SECONDS + 60 }) },
      { authorization: vapid('https://web.push.apple.com', clock) },
    ];
    for (const headers of cases) {
      const reply = await send(session, sub.push, headers);
      expect(reply.status).toBe(403);
      expect(json(reply)).toEqual({ reason: 'BadJwtToken' });
      expect(String(reply.headers['apns-id'])).toMatch(UUID);
    }
    const rejected = events.filter((e) => e.kind === 'message.rejected');
    expect(rejected).toHaveLength(cases.length);
    expect(rejected.every((e) => e.detail.includes('[apple quirk: 403 BadJwtToken]'))).toBe(true);
  });

  it('answers 410 {"reason":"Unregistered"} with the time of the deletion, 404 BadPath for a path never issued, 413 PayloadTooLarge', async () => {
    const { session, service, clock } = await lab({ quirks: 'apple' });
    const sub = await subscribe(session);
    const authorization = vapid(service.url, clock);
    const tooLarge = await send(session, sub.push, { authorization }, 'x'.repeat(4097));
    expect(tooLarge.status).toBe(413);
    expect(json(tooLarge)).toEqual({ reason: 'PayloadTooLarge' });
    clock.advance(5000);
    const deletedAt = clock.now();
    await call(session, { ':method': 'DELETE', ':path': sub.own });
    clock.advance(5000);
    const gone = await send(session, sub.push, { authorization });
    expect(gone.status).toBe(410);
    expect(json(gone)).toEqual({ reason: 'Unregistered', timestamp: deletedAt });
    const never = await send(session, '/push/never-issued', { authorization });
    expect(never.status).toBe(404);
    expect(json(never)).toEqual({ reason: 'BadPath' });
  });
});

describe('quirk overlays are refused where they do not apply', () => {
  it('an unknown overlay name, or an overlay over a draft profile, is an error naming what is allowed', async () => {
    await expect(startService({ quirks: 'google' as never })).rejects.toThrow(
      'quirks: got "google"; allowed autopush, fcm, apple',
    );
    await expect(startService({ quirks: 'fcm', profile: 'draft-thomson' })).rejects.toThrow(
      'quirks: got "fcm" with profile "draft-thomson"; allowed only with rfc8030',
    );
  });

  it('without an overlay RFC 8030 answers as before: a problem document, no TTL echo when kept as asked', async () => {
    const { session, service } = await lab({});
    expect(service.quirks.name).toBeNull();
    const sub = await subscribe(session);
    const reply = await send(session, sub.push, { ttl: '60' });
    expect(reply.headers['ttl']).toBeUndefined();
    const never = await send(session, '/push/never-issued');
    expect(never.status).toBe(404);
    expect(type(never.headers)).toBe('application/problem+json');
    expect(
      QuirkSession.none(service.core).missing('x', { status: 404, title: '', detail: '' }),
    ).toBeNull();
  });
});

describe('a scenario service with quirks', () => {
  const base = (service: Record<string, unknown>, ttl = 60, vapid = true) => ({
    name: 'quirks',
    seed: 3,
    duration: '1m',
    services: [{ id: 'ps1', ...service }],
    links: [{ id: 'cell', faults: [{ type: 'latency', attributes: { latency: 40 } }] }],
    userAgents: [{ id: 'phone', count: 2, service: 'ps1', link: 'cell' }],
    appServers: [
      {
        id: 'as',
        service: 'ps1',
        traffic: { pattern: 'poisson', ratePerSecond: 0.5 },
        mix: { ttl: [{ value: ttl, share: 1 }], receiptShare: 0.5 },
        vapid,
      },
    ],
  });

  async function run(input: unknown): Promise<LabEvent[]> {
    const loaded = validateScenario(input);
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const events: LabEvent[] = [];
    await runScenario(loaded.scenario, {}, { onEvent: (e) => events.push(e) });
    return events;
  }

  it('is validated: an unknown overlay, or one over a draft profile, is a problem naming the field and what is allowed', () => {
    const unknown = validateScenario(base({ quirks: 'google' }));
    expect(unknown.ok).toBe(false);
    expect(!unknown.ok && unknown.problems).toContain(
      'services.0.quirks: allowed autopush, fcm, apple (got "google")',
    );
    const draft = validateScenario(base({ quirks: 'fcm', profile: 'draft-damaggio' }));
    expect(!draft.ok && draft.problems).toContain(
      'services.0.quirks: with profile "draft-damaggio"; allowed only with profile rfc8030 (got "fcm")',
    );
  });

  it('runs autopush on the virtual clock: TTLs capped, no receipts though senders ask, byte for byte again', async () => {
    const first = await run(base({ quirks: 'autopush' }, 5_000_000));
    const accepted = first.filter((e) => e.kind === 'message.accepted');
    expect(accepted.length).toBeGreaterThan(5);
    expect(accepted.every((e) => e.ttlSeconds === 2_592_000)).toBe(true);
    expect(first.some((e) => e.kind === 'message.acked')).toBe(true);
    expect(first.some((e) => e.kind.startsWith('receipt.'))).toBe(false);
    const again = await run(base({ quirks: 'autopush' }, 5_000_000));
    const lines = (events: LabEvent[]) => events.map((e) => JSON.stringify(e));
    expect(lines(again)).toEqual(lines(first));
  });

  it('runs apple on the virtual clock: signed sends arrive, unsigned ones are refused 403 BadJwtToken and say so', async () => {
    const signed = await run(base({ quirks: 'apple' }));
    expect(signed.some((e) => e.kind === 'message.acked')).toBe(true);
    expect(signed.some((e) => e.kind === 'message.rejected')).toBe(false);
    const events = await run(base({ quirks: 'apple' }, 60, false));
    const rejected = events.filter((e) => e.kind === 'message.rejected');
    expect(rejected.length).toBeGreaterThan(5);
    expect(events.some((e) => e.kind === 'message.accepted')).toBe(false);
    expect(
      rejected.every(
        (e) => e.status === 403 && e.detail.includes('[apple quirk: 403 BadJwtToken]'),
      ),
    ).toBe(true);
  });
});
