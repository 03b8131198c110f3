import type { ClientHttp2Session } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { call, client, collectPushes, linkPath, startService, until } from '../helpers/h2';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function setup() {
  const ctx = await startService();
  open.push({ close: () => ctx.service.stop() });
  const ua = await client(ctx.service.url);
  const as = await client(ctx.service.url);
  open.push({ close: () => ua.destroy() }, { close: () => as.destroy() });
  const sub = await call(ua, { ':method': 'POST', ':path': '/subscribe' });
  const subPath = new URL(String(sub.headers['location'])).pathname;
  const pushPath = linkPath(sub.headers, 'urn:ietf:params:push')!;
  return { ...ctx, ua, as, sub, subPath, pushPath };
}

function monitor(ua: ClientHttp2Session, path: string) {
  const stream = ua.request({ ':method': 'GET', ':path': path });
  stream.on('error', () => {});
  return stream;
}

describe('RFC 8030 core loop over real HTTP/2', () => {
  it('subscribes with 201, a Location and a push Link of ≥128-bit capability URLs', async () => {
    const { sub, subPath, pushPath } = await setup();
    expect(sub.status).toBe(201);
    expect(subPath).toMatch(/^\/subscription\/[A-Za-z0-9_-]{22,}$/);
    expect(pushPath).toMatch(/^\/push\/[A-Za-z0-9_-]{22,}$/);
  });

  it('delivers a message as a PUSH_PROMISE on the held GET, and DELETE acknowledges it', async () => {
    const { ua, as, subPath, pushPath, events } = await setup();
    const pushes = collectPushes(ua);
    monitor(ua, subPath);
    const sent = await call(
      as,
      { ':method': 'POST', ':path': pushPath, ttl: '60', 'content-type': 'text/plain' },
      'hello',
    );
    expect(sent.status).toBe(201);
    const messagePath = new URL(String(sent.headers['location'])).pathname;
    await until(() => pushes.length === 1);
    expect(pushes[0]!.path).toBe(messagePath);
    expect(pushes[0]!.body).toBe('hello');
    expect(pushes[0]!.headers[':status']).toBe(200);
    expect(pushes[0]!.headers['cache-control']).toBe('private');
    expect(linkPath(pushes[0]!.headers, 'urn:ietf:params:push')).toBe(pushPath);
    const ack = await call(ua, { ':method': 'DELETE', ':path': messagePath });
    expect(ack.status).toBe(204);
    expect(events.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['message.accepted', 'message.pushed', 'message.acked']),
    );
  });

  it('queues while the user agent is away and pushes on its next monitoring request', async () => {
    const { ua, as, subPath, pushPath } = await setup();
    await call(as, { ':method': 'POST', ':path': pushPath, ttl: '60' }, 'one');
    await call(as, { ':method': 'POST', ':path': pushPath, ttl: '60' }, 'two');
    const pushes = collectPushes(ua);
    monitor(ua, subPath);
    await until(() => pushes.length === 2);
    expect(pushes.map((p) => p.body)).toEqual(['one', 'two']);
  });

  it('answers Prefer: wait=0 with 204 when nothing is pending', async () => {
    const { ua, subPath } = await setup();
    const reply = await call(ua, { ':method': 'GET', ':path': subPath, prefer: 'wait=0' });
    expect(reply.status).toBe(204);
  });

  it('refuses a push without TTL with 400 and a problem document naming the header', async () => {
    const { as, pushPath } = await setup();
    const reply = await call(as, { ':method': 'POST', ':path': pushPath }, 'x');
    expect(reply.status).toBe(400);
    expect(reply.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(reply.body).detail).toMatch(/TTL header: missing/);
  });

  it('answers 404 for an unknown push resource and keeps serving', async () => {
    const { as, pushPath } = await setup();
    const reply = await call(as, { ':method': 'POST', ':path': '/push/nope', ttl: '5' }, 'x');
    expect(reply.status).toBe(404);
    expect((await call(as, { ':method': 'POST', ':path': pushPath, ttl: '5' }, 'x')).status).toBe(
      201,
    );
  });

  it('accepts 4096 bytes of body and refuses 4097 with 413', async () => {
    const { as, pushPath } = await setup();
    expect(
      (await call(as, { ':method': 'POST', ':path': pushPath, ttl: '5' }, Buffer.alloc(4096)))
        .status,
    ).toBe(201);
    expect(
      (await call(as, { ':method': 'POST', ':path': pushPath, ttl: '5' }, Buffer.alloc(4097)))
        .status,
    ).toBe(413);
  });
});
