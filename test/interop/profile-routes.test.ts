/**
 * Every profile answers through its route table: a known path with a method it does not
 * take gets 405 with `Allow`, a path no route knows gets 404, and a handler that throws
 * becomes a 500 plus a `service.error` event. Two services speaking the same profile keep
 * their profile state apart.
 */
import type { ClientHttp2Session } from 'node:http2';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PROFILES, type LabEvent, type Profile } from '../../src/shared/events';
import { VirtualClock } from '../../src/main/engine/clock/virtual';
import { PushService } from '../../src/main/engine/push/service';
import { EventBus } from '../../src/main/engine/trace/bus';
import { call, client, hold, linkPath, startService } from '../helpers/h2';
import { eventually } from '../helpers/poll';

const REL_SUB = 'urn:ietf:params:push:sub';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

async function serve(profile: Profile) {
  const ctx = await startService({ profile });
  cleanups.push(() => ctx.service.stop());
  const session = await client(ctx.service.url);
  cleanups.push(() => session.close());
  return { ...ctx, session };
}

/** Per profile: a path of each route, a method it does not take, and its `Allow`. */
const WRONG_METHODS: Record<Profile, [path: string, method: string, allow: string][]> = {
  rfc8030: [
    ['/subscribe', 'GET', 'POST'],
    ['/subscription/x', 'POST', 'GET, DELETE'],
    ['/subscription-set/x', 'PUT', 'GET, DELETE'],
    ['/push/x', 'GET', 'POST'],
    ['/message/x', 'GET', 'DELETE'],
    ['/receipt-subscription/x', 'POST', 'GET, DELETE'],
  ],
  'draft-thomson': [
    ['/register', 'GET', 'POST'],
    ['/monitor/x', 'POST', 'GET, DELETE'],
    ['/subscribe/x', 'GET', 'POST'],
    ['/p/x', 'POST', 'GET, PUT, DELETE'],
  ],
  'draft-damaggio': [
    ['/subscribe/', 'GET', 'POST'],
    ['/p/x', 'PUT', 'GET, POST, DELETE'],
    // The message route's methods do not depend on whether its subscription exists.
    ['/p/x/m', 'POST', 'GET, DELETE'],
    ['/r/x', 'DELETE', 'GET'],
  ],
};

describe.each(PROFILES.map((p) => [p]))('%s route table', (profile) => {
  it('answers 405 with Allow for a known path and a method its route does not take', async () => {
    const { session } = await serve(profile);
    for (const [path, method, allow] of WRONG_METHODS[profile]) {
      const reply = await call(session, { ':method': method, ':path': path });
      expect({ path, method, status: reply.status, allow: reply.headers['allow'] }).toEqual({
        path,
        method,
        status: 405,
        allow,
      });
      expect(reply.headers['content-type']).toBe('application/problem+json');
      expect(JSON.parse(reply.body)).toMatchObject({
        status: 405,
        detail: `method ${method} on ${path}; allowed ${allow}`,
      });
    }
  });

  it('answers 404 for a path no route knows', async () => {
    const { session } = await serve(profile);
    for (const path of ['/nowhere', '/', '/elsewhere/x/y']) {
      const reply = await call(session, { ':method': 'GET', ':path': path });
      expect({ path, status: reply.status }).toEqual({ path, status: 404 });
      expect(JSON.parse(reply.body).detail).toMatch(
        new RegExp(`^resource: no such resource at ${path.replace(/\//g, '\\/')} \\(`),
      );
    }
  });

  it('turns a routed handler that throws into a 500 and a service.error event', async () => {
    const { service, session, events } = await serve(profile);
    vi.spyOn(service.core, 'admitSubscribe').mockImplementation(() => {
      throw new RangeError('admit failed');
    });
    const path = new URL(service.subscribeUrl).pathname;
    const reply = await call(session, { ':method': 'POST', ':path': path });
    expect(reply.status).toBe(500);
    expect(events.filter((e) => e.kind === 'service.error')).toEqual([
      expect.objectContaining({
        method: 'POST',
        path,
        code: 'ERR_INTERNAL',
        message: 'admit failed',
      }),
    ]);
    vi.restoreAllMocks();
    expect((await call(session, { ':method': 'POST', ':path': path })).status).toBe(201);
  });
});

describe('two services speaking one profile', () => {
  it('keep their own registrations (draft-thomson)', async () => {
    const a = await serve('draft-thomson');
    const b = await serve('draft-thomson');
    const reg = await call(a.session, { ':method': 'POST', ':path': '/register' });
    const regPath = new URL(String(reg.headers['location'])).pathname;
    const subscribePath = linkPath(reg.headers, REL_SUB)!;
    expect((await call(a.session, { ':method': 'POST', ':path': subscribePath })).status).toBe(201);
    expect((await call(b.session, { ':method': 'POST', ':path': subscribePath })).status).toBe(404);
    expect((await call(b.session, { ':method': 'DELETE', ':path': regPath })).status).toBe(404);
    expect((await call(a.session, { ':method': 'DELETE', ':path': regPath })).status).toBe(204);
  });

  it("name only their own pushes, even on one bus with the same ids (draft-thomson's identifyLatest)", async () => {
    // Two services of one lab share its bus; with one service id each numbers its
    // subscriptions and messages alike (ps1.s1, ps1.m1). Naming from the bus took A's push
    // of ps1.m1 for B's stored, never-pushed ps1.m1.
    const clock = new VirtualClock(0);
    const bus = new EventBus(clock);
    const events: LabEvent[] = [];
    bus.subscribe((e) => events.push(e));
    const start = async (): Promise<{ service: PushService; session: ClientHttp2Session }> => {
      const service = new PushService(
        { serviceId: 'ps1', profile: 'draft-thomson', host: '127.0.0.1', port: 0, tls: null },
        clock,
        bus,
      );
      await service.start();
      cleanups.push(() => service.stop());
      const session = await client(service.url);
      cleanups.push(() => session.close());
      return { service, session };
    };
    const subscribed = async (session: ClientHttp2Session) => {
      const reg = await call(session, { ':method': 'POST', ':path': '/register' });
      const sub = await call(session, {
        ':method': 'POST',
        ':path': linkPath(reg.headers, REL_SUB)!,
      });
      return {
        regPath: new URL(String(reg.headers['location'])).pathname,
        subUrl: String(sub.headers['location']),
      };
    };
    const a = await start();
    const b = await start();
    const onA = await subscribed(a.session);
    const onB = await subscribed(b.session);
    const put = (session: ClientHttp2Session, url: string, body: string) =>
      call(session, { ':method': 'PUT', ':path': new URL(url).pathname }, body);
    // B stores its message unpushed (nobody monitors B); A pushes its own to a held GET.
    expect((await put(b.session, onB.subUrl, 'on b')).status).toBe(200);
    const held = hold(a.session, { ':method': 'GET', ':path': onA.regPath });
    cleanups.push(() => held.stream.close());
    expect((await put(a.session, onA.subUrl, 'on a')).status).toBe(200);
    await eventually('A pushed its message', () => events.some((e) => e.kind === 'message.pushed'));
    expect(a.service.identifyLatest(onA.subUrl, Buffer.from('on a'))).toEqual({
      messageId: 'ps1.m1',
      subscriptionId: 'ps1.s1',
    });
    expect(b.service.identifyLatest(onB.subUrl)).toBeNull();
  });
});
