import http2, { type ClientHttp2Session } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabEvent } from '../../src/shared/events';
import { VirtualClock } from '../../src/main/engine/clock/virtual';
import { DEFAULT_SERVICE_LIMITS } from '../../src/main/engine/push/types';
import { call, client, collectPushes, hold, linkPath, startService, until } from '../helpers/h2';

const REL_REG = 'urn:ietf:params:push:reg';
const REL_SUB = 'urn:ietf:params:push:sub';
const REL_PUSH = 'urn:ietf:params:push';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function setup() {
  const ctx = await startService({ profile: 'draft-thomson' });
  open.push({ close: () => ctx.service.stop() });
  const ua = await client(ctx.service.url);
  const as = await client(ctx.service.url);
  open.push({ close: () => ua.destroy() }, { close: () => as.destroy() });
  const reg = await call(ua, { ':method': 'POST', ':path': '/register' });
  const regPath = new URL(String(reg.headers['location'])).pathname;
  const subscribePath = linkPath(reg.headers, REL_SUB)!;
  const subscribe = async () => {
    const reply = await call(ua, { ':method': 'POST', ':path': subscribePath });
    return { reply, path: new URL(String(reply.headers['location'])).pathname };
  };
  return { ...ctx, ua, as, reg, regPath, subscribePath, subscribe };
}

const put = (as: ClientHttp2Session, path: string, body: string | Buffer) =>
  call(as, { ':method': 'PUT', ':path': path, 'content-type': 'text/plain' }, body);

const kinds = (events: LabEvent[]) => events.map((e) => e.kind);

describe('draft-thomson (early 2015) over real HTTP/2', () => {
  it('registers with 201, a registration Location, reg and sub Links and a private max-age', async () => {
    const { reg, regPath, subscribePath } = await setup();
    expect(reg.status).toBe(201);
    expect(regPath).toMatch(/^\/monitor\/[A-Za-z0-9_-]{22,}$/);
    expect(linkPath(reg.headers, REL_REG)).toBe(regPath);
    expect(subscribePath).toBe(regPath.replace('/monitor/', '/subscribe/'));
    expect(reg.headers['cache-control']).toMatch(/^max-age=\d+, private$/);
  });

  it('subscribes with 201, a subscription Location equal to its push Link, and a private max-age', async () => {
    const { subscribe, service } = await setup();
    const { reply, path } = await subscribe();
    expect(reply.status).toBe(201);
    expect(path).toMatch(/^\/p\/[A-Za-z0-9_-]{22,}$/);
    expect(linkPath(reply.headers, REL_PUSH)).toBe(path);
    expect(reply.headers['cache-control']).toMatch(/^max-age=\d+, private$/);
    expect(service.subscribeUrl).toBe(`${service.url}/register`);
  });

  it('accepts a PUT with 200 and a max-age of the service maximum; GET returns it (200) or 204', async () => {
    const { as, subscribe } = await setup();
    const { path } = await subscribe();
    const empty = await call(as, { ':method': 'GET', ':path': path });
    expect(empty.status).toBe(204);
    const sent = await put(as, path, 'hello');
    expect(sent.status).toBe(200);
    expect(sent.headers['cache-control']).toBe(`max-age=${DEFAULT_SERVICE_LIMITS.ttlSecondsMax}`);
    const last = await call(as, { ':method': 'GET', ':path': path });
    expect(last.status).toBe(200);
    expect(last.body).toBe('hello');
    expect(last.headers['content-type']).toBe('text/plain');
    expect(last.headers['cache-control']).toBe('private');
    expect(Date.parse(String(last.headers['last-modified']))).not.toBeNaN();
  });

  it('collapses implicitly: a newer PUT replaces the stored older one', async () => {
    const { as, ua, subscribe, regPath, events } = await setup();
    const { path } = await subscribe();
    await put(as, path, 'one');
    await put(as, path, 'two');
    expect((await call(as, { ':method': 'GET', ':path': path })).body).toBe('two');
    expect(kinds(events)).toContain('message.replaced');
    const pushes = collectPushes(ua);
    const now = await call(ua, { ':method': 'GET', ':path': regPath, prefer: 'wait=0' });
    expect(now.status).toBe(200);
    await until(() => pushes.length === 1);
    expect(pushes.map((p) => p.body)).toEqual(['two']);
  });

  it('GET on a subscription returns its most recent message, pushed or not, until it expires (§A6)', async () => {
    const clock = new VirtualClock();
    const ctx = await startService(
      { profile: 'draft-thomson', limits: { ...DEFAULT_SERVICE_LIMITS, ttlSecondsMax: 60 } },
      clock,
    );
    open.push({ close: () => ctx.service.stop() });
    const ua = await client(ctx.service.url);
    open.push({ close: () => ua.destroy() });
    const reg = await call(ua, { ':method': 'POST', ':path': '/register' });
    const regPath = new URL(String(reg.headers['location'])).pathname;
    const sub = await call(ua, { ':method': 'POST', ':path': linkPath(reg.headers, REL_SUB)! });
    const path = new URL(String(sub.headers['location'])).pathname;
    await put(ua, path, 'kept');
    const pushes = collectPushes(ua);
    await call(ua, { ':method': 'GET', ':path': regPath, prefer: 'wait=0' });
    await until(() => pushes.length === 1);
    clock.advance(59_000);
    const stillThere = await call(ua, { ':method': 'GET', ':path': path });
    expect([stillThere.status, stillThere.body]).toEqual([200, 'kept']);
    clock.advance(1_000);
    expect((await call(ua, { ':method': 'GET', ':path': path })).status).toBe(204);
  });

  it('aggregates: one GET on the registration receives pushes for two subscriptions', async () => {
    const { as, ua, subscribe, regPath, service } = await setup();
    const a = await subscribe();
    const b = await subscribe();
    const pushes = collectPushes(ua);
    await put(as, a.path, 'stored before the GET');
    hold(ua, { ':method': 'GET', ':path': regPath });
    await until(() => pushes.length === 1);
    await put(as, b.path, 'sent while held');
    await until(() => pushes.length === 2);
    expect(pushes.map((p) => [p.path, p.body])).toEqual([
      [a.path, 'stored before the GET'],
      [b.path, 'sent while held'],
    ]);
    for (const p of pushes) {
      expect(p.headers[':status']).toBe(200);
      expect(p.headers['cache-control']).toBe('private');
      expect(p.headers['content-type']).toBe('text/plain');
      expect(Date.parse(String(p.headers['last-modified']))).not.toBeNaN();
    }
    // The promised path names a subscription, not a message: nothing to identify.
    expect(service.identify(a.path)).toBeNull();
  });

  it('monitors a subscription made while the registration GET is held', async () => {
    const { as, ua, subscribe, regPath } = await setup();
    const pushes = collectPushes(ua);
    hold(ua, { ':method': 'GET', ':path': regPath });
    const late = await subscribe();
    await put(as, late.path, 'late');
    await until(() => pushes.length === 1);
    expect(pushes[0]!.path).toBe(late.path);
  });

  it('has no acknowledgement: a pushed message counts as delivered and is not pushed again', async () => {
    const { as, ua, subscribe, regPath, events } = await setup();
    const { path } = await subscribe();
    await put(as, path, 'once');
    const pushes = collectPushes(ua);
    await call(ua, { ':method': 'GET', ':path': regPath, prefer: 'wait=0' });
    await until(() => pushes.length === 1);
    expect(kinds(events)).toEqual(
      expect.arrayContaining(['message.accepted', 'message.pushed', 'message.acked']),
    );
    // §A6: a GET on the subscription still returns the most recent message once pushed.
    const pushedLast = await call(as, { ':method': 'GET', ':path': path });
    expect(pushedLast.status).toBe(200);
    expect(pushedLast.body).toBe('once');
    const again = await call(ua, { ':method': 'GET', ':path': regPath, prefer: 'wait=0' });
    expect(again.status).toBe(200);
    expect(kinds(events).filter((k) => k === 'message.pushed')).toHaveLength(1);
  });

  it('answers Prefer: wait=0 at once with links and expiry, pushing every stored message', async () => {
    const { as, ua, subscribe, regPath, subscribePath } = await setup();
    const a = await subscribe();
    const b = await subscribe();
    await put(as, a.path, 'for a');
    await put(as, b.path, 'for b');
    const pushes = collectPushes(ua);
    const reply = await call(ua, { ':method': 'GET', ':path': regPath, prefer: 'wait=0' });
    expect(reply.status).toBe(200);
    expect(linkPath(reply.headers, REL_REG)).toBe(regPath);
    expect(linkPath(reply.headers, REL_SUB)).toBe(subscribePath);
    expect(reply.headers['cache-control']).toMatch(/^max-age=\d+, private$/);
    await until(() => pushes.length === 2);
    expect(pushes.map((p) => `${p.path} ${p.body}`).sort()).toEqual(
      [`${a.path} for a`, `${b.path} for b`].sort(),
    );
  });

  it('deletes a subscription: a 404 is pushed for it, the registration GET stays open', async () => {
    const { as, ua, subscribe, regPath } = await setup();
    const gone = await subscribe();
    const kept = await subscribe();
    const pushes = collectPushes(ua);
    hold(ua, { ':method': 'GET', ':path': regPath });
    // Same connection as the GET, so the GET is attached before the DELETE is handled.
    const deleted = await call(ua, { ':method': 'DELETE', ':path': gone.path });
    expect(deleted.status).toBe(204);
    await until(() => pushes.length === 1);
    expect(pushes[0]!.path).toBe(gone.path);
    expect(pushes[0]!.headers[':status']).toBe(404);
    await put(as, kept.path, 'still monitored');
    await until(() => pushes.length === 2);
    expect(pushes[1]!.path).toBe(kept.path);
    const sent = await put(as, gone.path, 'too late');
    expect(sent.status).toBe(404);
    expect(sent.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(sent.body).detail).toMatch(/subscription: no such resource/);
    expect((await call(as, { ':method': 'GET', ':path': gone.path })).status).toBe(404);
    expect((await call(ua, { ':method': 'DELETE', ':path': gone.path })).status).toBe(404);
  });

  it('deletes a registration with all its subscriptions; its held GET ends with 404', async () => {
    const { as, ua, subscribe, regPath, subscribePath, events } = await setup();
    const a = await subscribe();
    const b = await subscribe();
    const held = hold(ua, { ':method': 'GET', ':path': regPath });
    const deleted = await call(ua, { ':method': 'DELETE', ':path': regPath });
    expect(deleted.status).toBe(204);
    expect((await held.reply).status).toBe(404);
    expect(events.filter((e) => e.kind === 'subscription.deleted')).toHaveLength(2);
    for (const path of [a.path, b.path]) expect((await put(as, path, 'x')).status).toBe(404);
    expect((await call(ua, { ':method': 'GET', ':path': regPath })).status).toBe(404);
    expect((await call(ua, { ':method': 'POST', ':path': subscribePath })).status).toBe(404);
  });

  it('accepts 4096 bytes of body and refuses 4097 with 413', async () => {
    const { as, subscribe } = await setup();
    const { path } = await subscribe();
    expect((await put(as, path, Buffer.alloc(4096))).status).toBe(200);
    const big = await put(as, path, Buffer.alloc(4097));
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body).detail).toMatch(/body: more than 4096 bytes/);
  });

  it('answers 404 for unknown resources and 405 with Allow for wrong methods', async () => {
    const { ua, as, regPath } = await setup();
    const token = 'AAAAAAAAAAAAAAAAAAAAAAAA';
    for (const path of [`/monitor/${token}`, `/subscribe/${token}`, `/p/${token}`, '/nope']) {
      const method = path.startsWith('/subscribe/') ? 'POST' : 'GET';
      const reply = await call(ua, { ':method': method, ':path': path });
      expect(reply.status, path).toBe(404);
      expect(reply.headers['content-type']).toBe('application/problem+json');
    }
    expect((await put(as, `/p/${token}`, 'x')).status).toBe(404);
    const wrong = await call(ua, { ':method': 'POST', ':path': regPath });
    expect(wrong.status).toBe(405);
    expect(wrong.headers['allow']).toBe('GET, DELETE');
    expect((await call(ua, { ':method': 'GET', ':path': '/register' })).status).toBe(405);
  });

  it('refuses to hold a registration GET on a connection that takes no pushes', async () => {
    const { service, regPath } = await setup();
    const noPush = http2.connect(service.url, { settings: { enablePush: false } });
    open.push({ close: () => noPush.destroy() });
    const reply = await call(noPush, { ':method': 'GET', ':path': regPath });
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body).detail).toMatch(/SETTINGS_ENABLE_PUSH/);
  });
});
