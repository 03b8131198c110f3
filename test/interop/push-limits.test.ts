/**
 * The push service's limits attacked over real h2c, each with the answer it must give: a
 * problem+json naming the limit and the value, Retry-After where waiting helps, and a
 * `limit.reached` event; the service keeps serving others afterwards.
 */
import http2, { type ClientHttp2Session } from 'node:http2';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabEvent } from '../../src/shared/events';
import type { Clock } from '../../src/main/engine/clock/clock';
import { VirtualClock } from '../../src/main/engine/clock/virtual';
import { type PushServiceOptions } from '../../src/main/engine/push/service';
import { startCli } from '../helpers/cli';
import { call, client, hold, linkPath, startService, until, type Reply } from '../helpers/h2';

const REL_PUSH = 'urn:ietf:params:push';
const REL_RECEIPT = 'urn:ietf:params:push:receipt';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

async function setup(options: Partial<PushServiceOptions> = {}, clock?: Clock) {
  const ctx = await startService(options, clock);
  cleanups.push(() => ctx.service.stop());
  return ctx;
}

async function connect(url: string): Promise<ClientHttp2Session> {
  const session = await client(url);
  session.on('error', () => {});
  cleanups.push(() => session.destroy());
  return session;
}

const limitsOf = (events: LabEvent[], what: string) =>
  events.filter((e) => e.kind === 'limit.reached' && e.what === what);

function expectProblem(reply: Reply, status: number, ...mentions: string[]): void {
  expect(reply.status).toBe(status);
  expect(reply.headers['content-type']).toBe('application/problem+json');
  const detail = String((JSON.parse(reply.body) as { detail: string }).detail);
  for (const m of mentions) expect(detail).toContain(m);
}

async function subscribe(session: ClientHttp2Session): Promise<Reply> {
  return call(session, { ':method': 'POST', ':path': '/subscribe' });
}

async function pushPathOf(session: ClientHttp2Session): Promise<string> {
  const reply = await subscribe(session);
  expect(reply.status).toBe(201);
  return linkPath(reply.headers, REL_PUSH)!;
}

const post = (
  session: ClientHttp2Session,
  path: string,
  headers: Record<string, string> = {},
  body = 'x',
) => call(session, { ':method': 'POST', ':path': path, ttl: '60', ...headers }, body);

describe('subscriptions', () => {
  it('2,000 subscribes refused at the cap leave 2,000 sets behind no more', async () => {
    // The subscribe rate is off here: this is about the cap alone.
    const { service, events } = await setup({
      limits: { subscriptionCountMax: 1, subscribesPerSecondPerAddress: 0 },
    });
    const session = await connect(service.url);
    await pushPathOf(session);
    const replies = await Promise.all(Array.from({ length: 2000 }, () => subscribe(session)));
    for (const reply of replies.slice(0, 3))
      expectProblem(reply, 429, 'subscriptions', 'maximum of 1');
    expect(replies.every((r) => r.status === 429 && r.headers['retry-after'] === '60')).toBe(true);
    expect(service.core.stats()).toMatchObject({ subscriptions: 1, sets: 1 });
    expect(limitsOf(events, 'subscriptions')).toHaveLength(2000);
  });

  it('an unsubscribed subscription takes its (now empty) set with it', async () => {
    const { service } = await setup();
    const session = await connect(service.url);
    const reply = await subscribe(session);
    const location = new URL(String(reply.headers['location'])).pathname;
    expect(service.core.stats().sets).toBe(1);
    expect((await call(session, { ':method': 'DELETE', ':path': location })).status).toBe(204);
    expect(service.core.stats()).toMatchObject({ subscriptions: 0, sets: 0 });
  });

  it('a subscribe flood from one address gets 429 with Retry-After once past its burst', async () => {
    const { service, events } = await setup({
      limits: { subscribesPerSecondPerAddress: 5, subscribesPerAddressBurstCount: 20 },
    });
    const session = await connect(service.url);
    const replies = await Promise.all(Array.from({ length: 200 }, () => subscribe(session)));
    const accepted = replies.filter((r) => r.status === 201).length;
    // The burst, and at most what refilled while the flood was answered.
    expect(accepted).toBeGreaterThanOrEqual(20);
    expect(accepted).toBeLessThan(40);
    const refused = replies.find((r) => r.status === 429)!;
    expectProblem(refused, 429, 'subscribesPerSecondPerAddress', '127.0.0.1');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limitsOf(events, 'subscribe-rate').length).toBe(200 - accepted);
    expect(service.core.stats().sets).toBe(accepted);
  });
});

describe('receipt subscriptions', () => {
  it('each respond-async send without an echoed receipt subscription counts against a cap: 429 past it', async () => {
    const { service, events } = await setup({ limits: { receiptSubscriptionCountMax: 50 } });
    const session = await connect(service.url);
    const push = await pushPathOf(session);
    const replies: Reply[] = [];
    for (let i = 0; i < 60; i++)
      replies.push(await post(session, push, { prefer: 'respond-async' }));
    expect(replies.slice(0, 50).every((r) => r.status === 202)).toBe(true);
    const refused = replies[50]!;
    expectProblem(refused, 429, 'receiptSubscriptionCountMax', 'maximum of 50');
    expect(refused.headers['retry-after']).toBe('60');
    expect(service.core.stats().receiptSubscriptions).toBe(50);
    expect(limitsOf(events, 'receipt-subscriptions')).toHaveLength(10);
    // Echoing one it holds still works at the cap.
    const echoed = linkPath(replies[0]!.headers, REL_RECEIPT)!;
    const again = await post(session, push, {
      prefer: 'respond-async',
      link: `<${echoed}>; rel="${REL_RECEIPT}"`,
    });
    expect(again.status).toBe(202);
  });
});

describe('draft-damaggio receipt resources', () => {
  it('an idle one expires and the next send asking for a receipt gets a new one', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const { service } = await setup(
      { profile: 'draft-damaggio', limits: { receiptSubscriptionIdleSecondsMax: 10 } },
      clock,
    );
    const session = await connect(service.url);
    const sub = await call(session, { ':method': 'POST', ':path': '/subscribe/' });
    const path = new URL(String(sub.headers['location'])).pathname;
    const envelope = JSON.stringify({ message: {}, request_receipt: true, time_to_live: 1 });
    const first = await call(session, { ':method': 'POST', ':path': path }, envelope);
    const receipt = linkPath(first.headers, REL_RECEIPT)!;
    expect(receipt).toMatch(/^\/r\//);
    clock.advance(1_000); // the message expires: nothing refers to the receipt resource now
    clock.advance(10_000);
    expect(service.core.stats().receiptSubscriptions).toBe(0);
    expect((await call(session, { ':method': 'GET', ':path': receipt })).status).toBe(404);
    const second = await call(session, { ':method': 'POST', ':path': path }, envelope);
    expect(second.status).toBe(201);
    const renewed = linkPath(second.headers, REL_RECEIPT)!;
    expect(renewed).not.toBe(receipt);
    expect(service.core.receiptSubscriptionByToken(renewed.slice(3))).toBeDefined();
  });
});

describe('stored bytes', () => {
  it('a service whose store is full answers 429 with Retry-After naming storedBytesMax', async () => {
    const { service, events } = await setup({ limits: { storedBytesMax: 10_000 } });
    const session = await connect(service.url);
    const push = await pushPathOf(session);
    const body = 'b'.repeat(3000);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(session, push, {}, body)).status);
    expect(statuses).toEqual([201, 201, 201]);
    const refused = await post(session, push, {}, body);
    expectProblem(refused, 429, 'storedBytesMax', '10000');
    expect(refused.headers['retry-after']).toBe('60');
    expect(limitsOf(events, 'stored-bytes')).toHaveLength(1);
    expect(service.core.stats().storedBytes).toBe(9000);
  });
});

describe('Content-Encoding', () => {
  it('a 2,000-character coding is refused with 415, shown truncated with the allowed list, never stored', async () => {
    const { service } = await setup();
    const session = await connect(service.url);
    const push = await pushPathOf(session);
    const reply = await post(session, push, { 'content-encoding': 'z'.repeat(2000) });
    expectProblem(reply, 415, 'Content-Encoding', '2000 characters', 'aes128gcm, aesgcm');
    expect(reply.body.length).toBeLessThan(400);
    expect(reply.headers['accept-encoding']).toBe('aes128gcm, aesgcm');
    expect(service.core.stats().storedBytes).toBe(0);
    for (const ok of ['aes128gcm', 'aesgcm', 'AES128GCM'])
      expect((await post(session, push, { 'content-encoding': ok })).status).toBe(201);
    expect((await post(session, push)).status).toBe(201); // absent: a plain lab push
    // The type is kept too: a long one is refused the same way.
    const longType = await post(session, push, { 'content-type': 't/'.padEnd(300, 'x') });
    expectProblem(longType, 400, 'Content-Type', '300 characters', 'at most 256');
  });

  it('draft-thomson refuses it too', async () => {
    const { service } = await setup({ profile: 'draft-thomson' });
    const session = await connect(service.url);
    const reg = await call(session, { ':method': 'POST', ':path': '/register' });
    const subscribeAt = /<([^>]+)>;\s*rel="urn:ietf:params:push:sub"/.exec(
      String(reg.headers['link']),
    )![1]!;
    const sub = await call(session, { ':method': 'POST', ':path': subscribeAt });
    const path = new URL(String(sub.headers['location'])).pathname;
    const reply = await call(
      session,
      { ':method': 'PUT', ':path': path, 'content-encoding': 'gzip' },
      'x',
    );
    expectProblem(reply, 415, '"gzip"');
  });
});

describe('header lists', () => {
  it('over 16 KB (RFC 7540 §6.5.2 size): 431 problem+json, and the session lives on', async () => {
    const { service, events } = await setup();
    const session = await connect(service.url);
    const reply = await call(session, {
      ':method': 'POST',
      ':path': '/subscribe',
      'x-padding': 'a'.repeat(20_000),
    });
    expectProblem(reply, 431, 'header list', 'at most 16384');
    expect(limitsOf(events, 'header-list-bytes')).toHaveLength(1);
    // Many fields adding up count the same way (32 octets each on top of name and value).
    const many: Record<string, string> = { ':method': 'POST', ':path': '/subscribe' };
    for (let i = 0; i < 100; i++) many[`x-field-${i}`] = 'v'.repeat(150);
    expectProblem(await call(session, many), 431);
    expect((await subscribe(session)).status).toBe(201);
  });
});

describe('connections', () => {
  it('an idle HTTP/2 connection is closed with GOAWAY on the service clock; one holding a monitor is not', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const { service, events } = await setup({ limits: { sessionIdleSecondsMax: 30 } }, clock);
    const idle = await connect(service.url);
    const monitoring = await connect(service.url);
    const sub = await subscribe(monitoring);
    const held = hold(monitoring, {
      ':method': 'GET',
      ':path': new URL(String(sub.headers['location'])).pathname,
    });
    await until(
      () =>
        service.core.byPushToken(linkPath(sub.headers, REL_PUSH)!.slice(6))!.monitors.size === 1,
    );
    let goaway = false;
    idle.on('goaway', () => (goaway = true));
    let monitorGoaway = false;
    monitoring.on('goaway', () => (monitorGoaway = true));
    clock.advance(29_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(goaway).toBe(false);
    clock.advance(1_000);
    await until(() => goaway && idle.closed);
    expect(limitsOf(events, 'session-idle')).toEqual([
      expect.objectContaining({ what: 'session-idle', limit: 30 }),
    ]);
    clock.advance(600_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(monitorGoaway).toBe(false);
    expect((await subscribe(monitoring)).status).toBe(201);
    held.stream.close();
  });

  it('connections from one address past connectionsPerAddressMax are closed at once; a slot frees on close', async () => {
    const { service, events } = await setup({ limits: { connectionsPerAddressMax: 3 } });
    const open = [];
    for (let i = 0; i < 3; i++) open.push(await connect(service.url));
    const refused = http2.connect(service.url);
    refused.on('error', () => {});
    cleanups.push(() => refused.destroy());
    await until(() => refused.closed || refused.destroyed);
    expect(limitsOf(events, 'connections-per-address')).toEqual([
      expect.objectContaining({ limit: 3 }),
    ]);
    for (const s of open) expect((await subscribe(s)).status).toBe(201);
    open[0]!.destroy();
    await until(() => limitsOf(events, 'connections-per-address').length === 1);
    await new Promise((r) => setTimeout(r, 50));
    const next = await connect(service.url);
    expect((await subscribe(next)).status).toBe(201);
  });
});

describe('the connection window (connectionWindowBytes)', () => {
  it('a connection may carry a MiB of bodies in flight by default, or what the limit says', async () => {
    const { service } = await setup();
    const session = await connect(service.url);
    const push = await pushPathOf(session);
    // The WINDOW_UPDATE follows the SETTINGS, so it has arrived with the subscribe's answer.
    expect(session.state.remoteWindowSize).toBe(1024 * 1024);
    // 100 bodies of 3 KB at once: past HTTP/2's 65,535-byte initial window, all answered.
    const replies = await Promise.all(
      Array.from({ length: 100 }, () => post(session, push, {}, 'x'.repeat(3072))),
    );
    expect(replies.every((r) => r.status === 201)).toBe(true);

    const { service: wider } = await setup({ limits: { connectionWindowBytes: 4 << 20 } });
    const other = await connect(wider.url);
    await pushPathOf(other);
    expect(other.state.remoteWindowSize).toBe(4 << 20);
  });

  it("a closed world keeps HTTP/2's initial window (its links carry the frames they always did)", async () => {
    const { service } = await setup({ listen: false });
    const relay = net.createServer((socket) => service.acceptConnection(socket));
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => relay.close(r)));
    const { port } = relay.address() as net.AddressInfo;
    const session = await connect(`http://127.0.0.1:${port}`);
    await pushPathOf(session);
    expect(session.state.remoteWindowSize).toBe(65_535);
  });
});

describe('a closed world (a scenario: agents over in-memory links)', () => {
  it('connections handed over by acceptConnection are not capped per address, and idle ones stay', async () => {
    const clock = new VirtualClock(0);
    const { service, events } = await setup(
      { listen: false, limits: { connectionsPerAddressMax: 1 } },
      clock,
    );
    // Real sockets, all from 127.0.0.1, handed over the way a scenario's links hand theirs.
    const relay = net.createServer((socket) => service.acceptConnection(socket));
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => relay.close(r)));
    const { port } = relay.address() as net.AddressInfo;
    const sessions = [];
    for (let i = 0; i < 5; i++) sessions.push(await connect(`http://127.0.0.1:${port}`));
    clock.advance(10 * 86_400_000); // days of lab time: no idle session closed
    for (const s of sessions) expect((await subscribe(s)).status).toBe(201);
    expect(events.filter((e) => e.kind === 'limit.reached')).toEqual([]);
  });
});

describe('push-lab serve flags', () => {
  /** `push-lab serve --h2c` without built-in subscriptions plus `flags`, and a session to it. */
  async function serveWith(flags: string[]) {
    const serve = startCli(['serve', '--h2c', '--port', '0', '--subscriptions', '0', ...flags]);
    cleanups.push(() => serve.stop());
    return connect((await serve.waitFor(/^http:\/\//)).trim());
  }

  it('--max-stored-bytes and --subscribe-rate reach the service', async () => {
    const session = await serveWith(['--max-stored-bytes', '100', '--subscribe-rate', '1']);
    const push = await pushPathOf(session);
    expect((await post(session, push, {}, 'x'.repeat(60))).status).toBe(201);
    expectProblem(await post(session, push, {}, 'x'.repeat(60)), 429, 'storedBytesMax', '100');
    // A burst of 1000 first, then 1 a second: of 1,200 at once, ~200 are refused.
    const replies = await Promise.all(Array.from({ length: 1200 }, () => subscribe(session)));
    expect(replies.filter((r) => r.status === 429).length).toBeGreaterThan(150);
  });

  it('--queue-max holds that many undelivered messages per subscription, then answers 429 naming the limit', async () => {
    const session = await serveWith(['--queue-max', '2']);
    const push = await pushPathOf(session);
    expect((await post(session, push, {}, 'x')).status).toBe(201);
    expect((await post(session, push, {}, 'x')).status).toBe(201);
    const third = await post(session, push, {}, 'x');
    expect(third.headers['retry-after']).toBeDefined();
    expectProblem(third, 429, '2 messages outstanding, the maximum');
  });
});
