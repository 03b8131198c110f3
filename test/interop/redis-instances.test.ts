/**
 * Two `push-lab serve` processes on one Redis (`--store redis://… --instance a|b`): a user
 * agent monitoring on A gets what is POSTed to B, acknowledges on either, and when A is
 * killed with -9 it monitors on B instead and gets every message still outstanding.
 */
import http2, { type ClientHttp2Session } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { startCli, type Running } from '../helpers/cli';
import { eventually } from '../helpers/poll';
import { noRedisReason, startRedis } from '../helpers/redis';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function connect(url: string, enablePush: boolean): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url, { settings: { enablePush } });
    session.once('error', reject);
    session.once('connect', () => {
      session.off('error', reject);
      session.on('error', () => {});
      cleanups.push(() => session.destroy());
      resolve(session);
    });
  });
}

function request(
  session: ClientHttp2Session,
  headers: http2.OutgoingHttpHeaders,
  body?: string,
): Promise<{ status: number; headers: http2.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers, { endStream: body === undefined });
    let h: http2.IncomingHttpHeaders | null = null;
    stream.on('response', (r) => (h = r));
    stream.on('error', reject);
    stream.on('close', () =>
      h ? resolve({ status: Number(h[':status']), headers: h }) : reject(new Error('no answer')),
    );
    stream.resume();
    if (body !== undefined) stream.end(body);
  });
}

interface Push {
  path: string;
  body: string;
}

/** Holds the monitoring GET on `session` and collects what is pushed on it. */
function monitor(session: ClientHttp2Session, subPath: string): Push[] {
  const pushes: Push[] = [];
  session.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('error', () => {});
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () =>
      pushes.push({ path: String(headers[':path']), body: Buffer.concat(chunks).toString() }),
    );
  });
  const get = session.request({ ':method': 'GET', ':path': subPath });
  get.on('error', () => {});
  get.resume();
  return pushes;
}

async function serve(url: string, instance: string): Promise<{ run: Running; url: string }> {
  const run = startCli([
    'serve',
    '--h2c',
    '--port',
    '0',
    '--store',
    url,
    '--instance',
    instance,
    '--subscriptions',
    '0',
    '--json',
  ]);
  cleanups.push(() => run.stop());
  const listening = JSON.parse(await run.waitFor(/"type":"listening"/)) as { url: string };
  return { run, url: listening.url };
}

describe.skipIf(noRedisReason !== null)(
  `push-lab serve: two instances on one Redis ${noRedisReason ?? ''}`,
  () => {
    it('delivers on A what B accepted, acks on either, and loses nothing when A is killed', async () => {
      const redis = await startRedis();
      cleanups.push(() => redis.stop());
      const a = await serve(redis.url, 'a');
      const b = await serve(redis.url, 'b');

      // The user agent subscribes and monitors on A.
      const uaA = await connect(a.url, true);
      const sub = await request(uaA, { ':method': 'POST', ':path': '/subscribe' });
      expect(sub.status).toBe(201);
      const subPath = new URL(String(sub.headers['location'])).pathname;
      const link = [sub.headers['link'] ?? ''].flat().join(', ');
      const pushPath = /<([^>]+)>;\s*rel="urn:ietf:params:push"/.exec(link)![1]!;
      const onA = monitor(uaA, subPath);

      // The application server sends to B. B learns of the subscription from the change
      // stream a moment after A's 201: until then B answers 404 (the window the design notes).
      const as = await connect(b.url, false);
      const send = (n: number) =>
        request(as, { ':method': 'POST', ':path': pushPath, ttl: '600' }, `message ${n}`);
      await eventually('B to know the subscription', async () => (await send(0)).status === 201);
      const first = await eventually('the first push on A', () =>
        onA.find((p) => p.body === 'message 0'),
      );

      // Acknowledged on B (the other instance than the one that pushed it): gone everywhere.
      expect((await request(as, { ':method': 'DELETE', ':path': first.path })).status).toBe(204);
      await eventually(
        'the ack to reach Redis',
        async () => (await redis.command('hlen', 'pushlab:{ps1}:msg')) === 0,
      );

      // Ten more through B; A pushes them; one acked on A.
      for (let n = 1; n <= 10; n++) expect((await send(n)).status).toBe(201);
      await eventually('ten pushes on A', () => onA.length >= 11);
      const ackedOnA = onA.find((p) => p.body === 'message 1')!;
      expect((await request(uaA, { ':method': 'DELETE', ':path': ackedOnA.path })).status).toBe(
        204,
      );
      // Two more while A is still up; then A dies with -9 mid-stream.
      for (let n = 11; n <= 12; n++) expect((await send(n)).status).toBe(201);
      a.run.child.kill('SIGKILL');
      await a.run.stop();
      for (let n = 13; n <= 15; n++) expect((await send(n)).status).toBe(201);

      // The user agent reconnects to B and monitors there: every message not acked comes.
      const uaB = await connect(b.url, true);
      const onB = monitor(uaB, subPath);
      const outstanding = Array.from({ length: 14 }, (_, i) => `message ${i + 2}`);
      await eventually('every outstanding message on B', () =>
        outstanding.every((body) => onB.some((p) => p.body === body)),
      );
      expect(onB.map((p) => p.body).sort()).toEqual([...outstanding].sort());
      // Acked messages stay gone: neither the first (acked on B) nor message 1 (acked on A).
      expect(onB.some((p) => p.body === 'message 0' || p.body === 'message 1')).toBe(false);
    }, 60_000);
  },
);
