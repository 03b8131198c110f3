/**
 * Two `push-lab serve` processes on one Redis (`--store redis://… --instance a|b`): a user
 * agent monitoring on A gets what is POSTed to B, acknowledges on either, and when A is
 * killed with -9 it monitors on B instead and gets every message still outstanding.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/poll';
import { connect as connectTo, monitor, request, serve as serveOn } from '../helpers/instances';
import { noRedisReason, startRedis } from '../helpers/redis';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const connect = (url: string, enablePush: boolean) => connectTo(cleanups, url, enablePush);
const serve = (url: string, instance: string) => serveOn(cleanups, url, instance);

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

      // The application server sends to B at once. B learns of the subscription from the
      // change stream a moment after A's 201; a POST in between waits for B to catch up.
      const as = await connect(b.url, false);
      const send = (n: number) =>
        request(as, { ':method': 'POST', ':path': pushPath, ttl: '600' }, `message ${n}`);
      expect((await send(0)).status).toBe(201);
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
