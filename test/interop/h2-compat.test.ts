/**
 * The push service reads HTTP/2 streams itself, without node:http2's compatibility request and
 * response (service.ts `answeredByNode`); what that layer used to answer is still answered —
 * CONNECT 405, `Expect: 100-continue` an interim 100, any other expectation 417 — over h2c and
 * over TLS, where HTTP/1.1 by ALPN still reaches the same routes. Answers are dated by the
 * lab clock, never node's wall clock.
 */
import http2, { type ClientHttp2Session, type OutgoingHttpHeaders } from 'node:http2';
import https from 'node:https';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/main/engine/clock/virtual';
import { generateIdentity } from '../../src/main/engine/push/tls';
import { call, startService } from '../helpers/h2';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

let identity: { key: string; cert: string };
beforeAll(async () => {
  identity = await generateIdentity();
}, 30_000);

async function serve(tls: boolean) {
  const { service } = await startService({ tls: tls ? identity : null });
  cleanups.push(() => service.stop());
  const session = await new Promise<ClientHttp2Session>((resolve, reject) => {
    const s = http2.connect(service.url, tls ? { ca: identity.cert } : {});
    s.once('error', reject);
    s.once('connect', () => resolve(s));
  });
  session.on('error', () => {});
  cleanups.push(() => session.destroy());
  return { service, session };
}

/** A request's interim and final statuses, in order. */
function statuses(
  session: ClientHttp2Session,
  headers: OutgoingHttpHeaders,
  body?: string,
): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const seen: number[] = [];
    const stream = session.request(headers, { endStream: body === undefined });
    stream.on('headers', (h) => seen.push(Number(h[':status'])));
    stream.on('response', (h) => seen.push(Number(h[':status'])));
    stream.on('error', reject);
    stream.on('close', () => resolve(seen));
    stream.resume();
    if (body !== undefined) stream.end(body);
  });
}

for (const tls of [false, true]) {
  describe(tls ? 'over TLS' : 'over h2c', () => {
    it('CONNECT is refused with 405 and the connection goes on', async () => {
      const { service, session } = await serve(tls);
      const authority = new URL(service.url).host;
      expect(await statuses(session, { ':method': 'CONNECT', ':authority': authority })).toEqual([
        405,
      ]);
      const subscribed = await call(session, { ':method': 'POST', ':path': '/subscribe' });
      expect(subscribed.status).toBe(201);
    });

    it('Expect: 100-continue gets an interim 100, then the answer; another expectation 417', async () => {
      const { session } = await serve(tls);
      const subscribed = await call(session, { ':method': 'POST', ':path': '/subscribe' });
      const push = /<([^>]+)>;\s*rel="urn:ietf:params:push"/.exec(
        String(subscribed.headers['link']),
      )![1]!;
      const send = { ':method': 'POST', ':path': push, ttl: '60' };
      expect(await statuses(session, { ...send, expect: '100-continue' }, 'hello')).toEqual([
        100, 201,
      ]);
      expect(await statuses(session, { ...send, expect: 'something-else' }, 'hello')).toEqual([
        417,
      ]);
      expect(await statuses(session, send, 'hello')).toEqual([201]);
    });
  });
}

it('over TLS, an HTTP/1.1 client (ALPN http/1.1) still reaches the routes', async () => {
  const { service } = await startService({ tls: identity });
  cleanups.push(() => service.stop());
  const status = await new Promise<number>((resolve, reject) => {
    const req = https.request(
      new URL('/subscribe', service.url),
      { method: 'POST', ca: identity.cert, agent: false },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
  expect(status).toBe(201);
});

it("every answer's Date is the lab clock's, second by second", async () => {
  const clock = new VirtualClock(Date.UTC(2030, 0, 2, 3, 4, 5, 600));
  const { service } = await startService({}, clock);
  cleanups.push(() => service.stop());
  const session = await new Promise<ClientHttp2Session>((resolve, reject) => {
    const s = http2.connect(service.url);
    s.once('error', reject);
    s.once('connect', () => resolve(s));
  });
  cleanups.push(() => session.destroy());
  const subscribe = { ':method': 'POST', ':path': '/subscribe' };
  expect((await call(session, subscribe)).headers['date']).toBe('Wed, 02 Jan 2030 03:04:05 GMT');
  clock.advance(399); // 03:04:05.999: the same second
  expect((await call(session, subscribe)).headers['date']).toBe('Wed, 02 Jan 2030 03:04:05 GMT');
  clock.advance(1);
  expect((await call(session, subscribe)).headers['date']).toBe('Wed, 02 Jan 2030 03:04:06 GMT');
  clock.advance(61_000);
  expect((await call(session, subscribe)).headers['date']).toBe('Wed, 02 Jan 2030 03:05:07 GMT');
});
