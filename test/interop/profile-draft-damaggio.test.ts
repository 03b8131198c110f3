import http2, { type ClientHttp2Session } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabEvent } from '../../src/shared/events';
import type { PushServiceOptions } from '../../src/main/engine/push/service';
import { DEFAULT_SERVICE_LIMITS } from '../../src/main/engine/push/types';
import { call, client, collectPushes, hold, linkPath, startService, until } from '../helpers/h2';

const REL_PUSH = 'urn:ietf:params:push';
const REL_RECEIPT = 'urn:ietf:params:push:receipt';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function setup(options: Partial<PushServiceOptions> = {}) {
  const ctx = await startService({ profile: 'draft-damaggio', ...options });
  open.push({ close: () => ctx.service.stop() });
  const ua = await client(ctx.service.url);
  const as = await client(ctx.service.url);
  open.push({ close: () => ua.destroy() }, { close: () => as.destroy() });
  const sub = await call(ua, { ':method': 'POST', ':path': '/subscribe/' });
  const subPath = new URL(String(sub.headers['location'])).pathname;
  return { ...ctx, ua, as, sub, subPath };
}

function send(as: ClientHttp2Session, path: string, envelope: unknown) {
  const body = typeof envelope === 'string' ? envelope : JSON.stringify(envelope);
  return call(
    as,
    { ':method': 'POST', ':path': path, 'content-type': 'application/json' },
    Buffer.from(body),
  );
}

const pathOf = (location: unknown) => new URL(String(location)).pathname;
const kinds = (events: LabEvent[]) => events.map((e) => e.kind);

describe('draft-damaggio-00 over real HTTP/2', () => {
  it('subscribes with 201: one subscription URI in Location and the push Link', async () => {
    const { sub, subPath, service } = await setup();
    expect(sub.status).toBe(201);
    expect(subPath).toMatch(/^\/p\/[A-Za-z0-9_-]{22,}$/);
    expect(linkPath(sub.headers, REL_PUSH)).toBe(subPath);
    expect(sub.headers['cache-control']).toMatch(/^max-age=\d+, private$/);
    expect(service.subscribeUrl).toBe(`${service.url}/subscribe/`);
  });

  it('accepts a JSON envelope with 201 + message Location, pushes the message object on the monitor, DELETE acks', async () => {
    const { ua, as, subPath, service, events } = await setup();
    const pushes = collectPushes(ua);
    hold(ua, { ':method': 'GET', ':path': subPath });
    const sent = await send(as, subPath, { message: { data: 'Hello World' } });
    expect(sent.status).toBe(201);
    expect(linkPath(sent.headers, REL_RECEIPT)).toBeNull();
    expect(sent.headers['cache-control']).toBe(`max-age=${DEFAULT_SERVICE_LIMITS.ttlSecondsMax}`);
    const messagePath = pathOf(sent.headers['location']);
    expect(messagePath).toMatch(new RegExp(`^${subPath}/[A-Za-z0-9_-]{22,}$`));
    await until(() => pushes.length === 1);
    const push = pushes[0]!;
    expect(push.path).toBe(messagePath);
    expect(push.headers[':status']).toBe(200);
    expect(push.headers['cache-control']).toBe('private');
    expect(push.headers['content-type']).toBe('application/json');
    expect(Date.parse(String(push.headers['last-modified']))).not.toBeNaN();
    expect(JSON.parse(push.body)).toEqual({ data: 'Hello World' });
    expect(service.identify(messagePath)?.messageId).toMatch(/^ps1\.m\d+$/);
    const ack = await call(ua, { ':method': 'DELETE', ':path': messagePath });
    expect(ack.status).toBe(204);
    expect(kinds(events)).toEqual(
      expect.arrayContaining(['message.accepted', 'message.pushed', 'message.acked']),
    );
    expect((await call(ua, { ':method': 'DELETE', ':path': messagePath })).status).toBe(404);
  });

  it('redelivers a message that was pushed but not acknowledged', async () => {
    const { ua, as, subPath, events } = await setup();
    await send(as, subPath, { message: { n: 1 } });
    const pushes = collectPushes(ua);
    const first = hold(ua, { ':method': 'GET', ':path': subPath });
    await until(() => pushes.length === 1);
    first.stream.close();
    hold(ua, { ':method': 'GET', ':path': subPath });
    await until(() => pushes.length === 2);
    expect(pushes[1]!.path).toBe(pushes[0]!.path);
    const attempts = events.flatMap((e) => (e.kind === 'message.pushed' ? [e.attempt] : []));
    expect(attempts).toEqual([1, 2]);
  });

  it('answers Prefer: wait=0 at once with the subscription link and expiry, pushing every stored message', async () => {
    const { ua, as, subPath } = await setup();
    await send(as, subPath, { message: { n: 1 } });
    await send(as, subPath, { message: { n: 2 } });
    const pushes = collectPushes(ua);
    const reply = await call(ua, { ':method': 'GET', ':path': subPath, prefer: 'wait=0' });
    expect(reply.status).toBe(200);
    expect(linkPath(reply.headers, REL_PUSH)).toBe(subPath);
    expect(reply.headers['cache-control']).toMatch(/^max-age=\d+, private$/);
    await until(() => pushes.length === 2);
    expect(pushes.map((p) => JSON.parse(p.body).n).sort()).toEqual([1, 2]);
  });

  it('pushes a 204 receipt for the message URI on the receipt resource once the UA acknowledges', async () => {
    const { ua, as, subPath, events } = await setup();
    const sent = await send(as, subPath, { message: { data: 'x' }, request_receipt: true });
    expect(sent.status).toBe(201);
    const receiptPath = linkPath(sent.headers, REL_RECEIPT)!;
    expect(receiptPath).toMatch(/^\/r\/[A-Za-z0-9_-]{22,}$/);
    const messagePath = pathOf(sent.headers['location']);
    const receipts = collectPushes(as);
    hold(as, { ':method': 'GET', ':path': receiptPath });
    const pushes = collectPushes(ua);
    hold(ua, { ':method': 'GET', ':path': subPath });
    await until(() => pushes.length === 1);
    expect((await call(ua, { ':method': 'DELETE', ':path': pushes[0]!.path })).status).toBe(204);
    await until(() => receipts.length === 1);
    expect(receipts[0]!.path).toBe(messagePath);
    expect(receipts[0]!.headers[':status']).toBe(204);
    expect(events).toContainEqual(expect.objectContaining({ kind: 'receipt.sent', status: 204 }));
    // A second message asking for a receipt reuses the subscription's receipt resource.
    const again = await send(as, subPath, { message: {}, request_receipt: true });
    expect(linkPath(again.headers, REL_RECEIPT)).toBe(receiptPath);
  });

  it('pushes a 504 receipt when a message expires unacknowledged (time_to_live 1 s)', async () => {
    const { as, subPath, events } = await setup();
    const sent = await send(as, subPath, {
      message: { data: 'never read' },
      request_receipt: true,
      time_to_live: 1,
    });
    expect(sent.status).toBe(201);
    expect(sent.headers['cache-control']).toBe('max-age=1');
    const receipts = collectPushes(as);
    hold(as, { ':method': 'GET', ':path': linkPath(sent.headers, REL_RECEIPT)! });
    await until(() => receipts.length === 1, 10_000);
    expect(receipts[0]!.path).toBe(pathOf(sent.headers['location']));
    expect(receipts[0]!.headers[':status']).toBe(504);
    expect(receipts[0]!.headers['content-type']).toBe('application/problem+json');
    expect(kinds(events)).toContain('message.expired');
    expect((await call(as, { ':method': 'DELETE', ':path': receipts[0]!.path })).status).toBe(404);
  }, 15_000);

  it('keeps receipts for an application server that starts monitoring later', async () => {
    const { ua, as, subPath } = await setup();
    const sent = await send(as, subPath, { message: {}, request_receipt: true });
    const pushes = collectPushes(ua);
    hold(ua, { ':method': 'GET', ':path': subPath });
    await until(() => pushes.length === 1);
    await call(ua, { ':method': 'DELETE', ':path': pushes[0]!.path });
    const receipts = collectPushes(as);
    hold(as, { ':method': 'GET', ':path': linkPath(sent.headers, REL_RECEIPT)! });
    await until(() => receipts.length === 1);
    expect(receipts[0]!.headers[':status']).toBe(204);
  });

  it('stores without time_to_live for the service maximum and lowers a larger one to it', async () => {
    const { as, subPath } = await setup({ limits: { ttlSecondsMax: 60 } });
    const none = await send(as, subPath, { message: {} });
    expect(none.headers['cache-control']).toBe('max-age=60');
    const big = await send(as, subPath, { message: {}, time_to_live: 1e12 });
    expect(big.status).toBe(201);
    expect(big.headers['cache-control']).toBe('max-age=60');
  });

  it('refuses malformed envelopes with 400 problems naming the member, the value and what is allowed', async () => {
    const { as, subPath, events } = await setup();
    const cases: [string, RegExp][] = [
      ['{"message": ', /^body: got "\{"message": ", which is not JSON .*allowed a JSON object/],
      ['', /^body: got an empty body, which is not JSON/],
      ['[1,2]', /^body: got \[1,2\] \(array\); allowed a JSON object/],
      ['{"message": "hi"}', /^message: got "hi" \(string\); allowed a JSON object/],
      ['{"message": [1]}', /^message: got \[1\] \(array\); allowed a JSON object/],
      [
        '{"request_receipt": "yes"}',
        /^request_receipt: got "yes" \(string\); allowed true or false/,
      ],
      ['{"time_to_live": -1}', /^time_to_live: got -1 \(number\); allowed a whole number/],
      ['{"time_to_live": 1.5}', /^time_to_live: got 1.5 \(number\); allowed a whole number/],
      ['{"time_to_live": "60"}', /^time_to_live: got "60" \(string\); allowed a whole number/],
    ];
    for (const [body, detail] of cases) {
      const reply = await send(as, subPath, body);
      expect(reply.status, body).toBe(400);
      expect(reply.headers['content-type']).toBe('application/problem+json');
      const problem = JSON.parse(reply.body);
      expect(problem.status).toBe(400);
      expect(problem.detail, body).toMatch(detail);
    }
    expect(events.filter((e) => e.kind === 'message.rejected')).toHaveLength(cases.length);
    expect(kinds(events)).not.toContain('message.accepted');
    const unknown = await send(as, subPath, { message: {}, priority: 'high', extra: [1] });
    expect(unknown.status).toBe(201);
  });

  it('accepts a 4096-byte envelope and refuses 4097 bytes with 413', async () => {
    const { as, subPath } = await setup();
    const envelope = (size: number) => {
      const shell = JSON.stringify({ message: { pad: '' } });
      return JSON.stringify({ message: { pad: 'x'.repeat(size - shell.length) } });
    };
    expect(envelope(4096)).toHaveLength(4096);
    expect((await send(as, subPath, envelope(4096))).status).toBe(201);
    const big = await send(as, subPath, envelope(4097));
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body).detail).toMatch(/body: more than 4096 bytes/);
  });

  it('deletes a subscription: its monitor ends 404, receipted messages get 504, then everything is 404', async () => {
    const { ua, as, subPath } = await setup();
    const sent = await send(as, subPath, { message: {}, request_receipt: true });
    const receiptPath = linkPath(sent.headers, REL_RECEIPT)!;
    const receipts = collectPushes(as);
    const receiptGet = hold(as, { ':method': 'GET', ':path': receiptPath });
    // Nobody monitors subPath, so the message is still outstanding when it goes.
    const other = await call(ua, { ':method': 'POST', ':path': '/subscribe/' });
    const monitor = hold(ua, { ':method': 'GET', ':path': pathOf(other.headers['location']) });
    expect((await call(ua, { ':method': 'DELETE', ':path': subPath })).status).toBe(204);
    await until(() => receipts.length === 1);
    expect(receipts[0]!.headers[':status']).toBe(504);
    expect((await receiptGet.reply).status).toBe(404);
    expect((await send(as, subPath, { message: {} })).status).toBe(404);
    expect((await call(ua, { ':method': 'GET', ':path': subPath })).status).toBe(404);
    expect((await call(as, { ':method': 'GET', ':path': receiptPath })).status).toBe(404);
    expect((await call(ua, { ':method': 'DELETE', ':path': subPath })).status).toBe(404);
    // The other subscription's monitor is untouched; deleting it ends its GET with 404.
    await call(ua, { ':method': 'DELETE', ':path': pathOf(other.headers['location']) });
    expect((await monitor.reply).status).toBe(404);
  });

  it('answers 404 for unknown resources, 405 with Allow for wrong methods, 400 without push', async () => {
    const { ua, as, subPath, service } = await setup();
    const token = 'AAAAAAAAAAAAAAAAAAAAAAAA';
    for (const path of [`/p/${token}`, `/p/${token}/${token}`, `${subPath}/${token}`, '/x']) {
      const reply = await call(ua, { ':method': 'DELETE', ':path': path });
      expect(reply.status, path).toBe(404);
      expect(reply.headers['content-type']).toBe('application/problem+json');
    }
    expect((await call(as, { ':method': 'GET', ':path': `/r/${token}` })).status).toBe(404);
    expect((await send(as, `/p/${token}`, { message: {} })).status).toBe(404);
    const wrong = await call(as, { ':method': 'PUT', ':path': subPath }, 'x');
    expect(wrong.status).toBe(405);
    expect(wrong.headers['allow']).toBe('GET, POST, DELETE');
    const noPush = http2.connect(service.url, { settings: { enablePush: false } });
    open.push({ close: () => noPush.destroy() });
    const refused = await call(noPush, { ':method': 'GET', ':path': subPath });
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body).detail).toMatch(/SETTINGS_ENABLE_PUSH/);
  });
});
